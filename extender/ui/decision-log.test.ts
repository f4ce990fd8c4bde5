import t from 'tap';
import { DecisionLog, MAX_LISTED, filterDecision, podRefOf } from './decision-log.js';

const bind = (i: number) => ({ verb: 'bind' as const, atMs: i, pod: `ns/p${i}`, node: 'n', error: '' });

void t.test('ring buffer: keeps the newest `capacity` decisions, newest first', async (t) => {
  const cases = [
    { capacity: 3, records: 0, want: [] },
    { capacity: 3, records: 2, want: [1, 0] },
    { capacity: 3, records: 3, want: [2, 1, 0] },
    { capacity: 3, records: 7, want: [6, 5, 4] },
    { capacity: 1, records: 4, want: [3] },
  ];
  for (const c of cases) {
    const log = new DecisionLog(c.capacity);
    for (let i = 0; i < c.records; i++) log.record(bind(i));
    t.same(log.recent().map((d) => d.atMs), c.want, `capacity ${c.capacity}, ${c.records} records`);
  }
});

void t.test('ring buffer: a capacity that is not a positive integer is refused', async (t) => {
  for (const bad of [0, -1, 2.5, Number.NaN]) t.throws(() => new DecisionLog(bad), RangeError, String(bad));
});

void t.test('5,000-node filter: counts kept, node lists capped', async (t) => {
  const failed: Record<string, string> = {};
  for (let i = 0; i < 4000; i++) failed[`n${i}`] = 'rack r1: over budget';
  const d = filterDecision(1, 'ns/p', { NodeNames: Array.from({ length: 1000 }, (_, i) => `ok${i}`), FailedNodes: failed, FailedAndUnresolvableNodes: {}, Error: '' });
  t.equal(d.passedCount, 1000);
  t.equal(d.failedCount, 4000);
  t.equal(d.passed.length, MAX_LISTED);
  t.equal(d.failed.length, MAX_LISTED);
});

void t.test('unresolvable nodes listed in both maps count once, marked unresolvable', async (t) => {
  const d = filterDecision(1, 'ns/p', { NodeNames: [], FailedNodes: { a: 'x', b: 'unknown node' }, FailedAndUnresolvableNodes: { b: 'unknown node' } });
  t.equal(d.failedCount, 2);
  t.same(d.failed, [{ node: 'a', reason: 'x', unresolvable: false }, { node: 'b', reason: 'unknown node', unresolvable: true }]);
});

void t.test('pod refs: namespace defaults like the API server does', async (t) => {
  t.equal(podRefOf({ metadata: { name: 'p', namespace: 'ns' } }), 'ns/p');
  t.equal(podRefOf({ metadata: { name: 'p' } }), 'default/p');
  t.equal(podRefOf(undefined), 'default/?');
});
