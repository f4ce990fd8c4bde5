import t from 'tap';
import { decide } from './decisions/decide.js';
import { input, NOW_MS, snapshot } from './decisions/test-fixtures.js';
import { buildStatus, stateFromStatus, statusPatch } from './status.js';

void t.test('status round trip: the rate-limit memory written is the memory read back after a restart', async (t) => {
  const i = input({ snapshot: snapshot({ 'rack-a': 9800, 'rack-b': 7000 }) });
  const d = decide(i);
  const status = buildStatus({ previous: undefined, generation: 1, mode: 'Enforce', decision: d, published: d.actions, applied: d.actions, failures: [], state: d.state, activeActions: 2, telemetryOk: true, nowMs: NOW_MS });
  t.same(stateFromStatus(status), d.state);
  t.equal(status.appliedActions?.length, d.actions.length);
  t.match(status.appliedActions?.[0], { time: new Date(NOW_MS).toISOString() });
});

void t.test('conditions keep their transition time while unchanged', async (t) => {
  const d = decide(input({}));
  const args = { generation: 1, mode: 'Observe' as const, decision: d, published: [], applied: [], failures: [], state: d.state, activeActions: 0, telemetryOk: true };
  const first = buildStatus({ ...args, previous: undefined, nowMs: NOW_MS });
  const second = buildStatus({ ...args, previous: first, nowMs: NOW_MS + 60_000 });
  t.equal(second.conditions?.[0]?.lastTransitionTime, new Date(NOW_MS).toISOString());
  const third = buildStatus({ ...args, previous: second, telemetryOk: false, nowMs: NOW_MS + 120_000 });
  t.equal(third.conditions?.[0]?.lastTransitionTime, new Date(NOW_MS + 120_000).toISOString());
});

void t.test('applied actions are capped at the last 20', async (t) => {
  const d = decide(input({ snapshot: snapshot({ 'rack-a': 9800, 'rack-b': 7000 }) }));
  let status = buildStatus({ previous: undefined, generation: 1, mode: 'Enforce', decision: d, published: [], applied: d.actions, failures: [], state: d.state, activeActions: 0, telemetryOk: true, nowMs: NOW_MS });
  for (let k = 0; k < 10; k++) status = buildStatus({ previous: status, generation: 1, mode: 'Enforce', decision: d, published: [], applied: d.actions, failures: [], state: d.state, activeActions: 0, telemetryOk: true, nowMs: NOW_MS });
  t.equal(status.appliedActions?.length, 20);
});

void t.test('merge patch: keys that left the maps are sent as null', async (t) => {
  const patch = statusPatch({ lastActionTime: { 'node/a1': 'x', 'node/a2': 'y' } }, { lastActionTime: { 'node/a2': 'z' }, belowRestoreSince: {} });
  t.same(patch.lastActionTime, { 'node/a2': 'z', 'node/a1': null });
  t.same(patch.belowRestoreSince, {});
});
