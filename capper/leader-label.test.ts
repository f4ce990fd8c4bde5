// LeaderLabel against a recording Pod writer: the label follows the lease, a stale label on a
// restarted standby is cleared, failures are counted and retried at the next renewal, a patch in
// flight is never doubled, and shutdown removes the label without waiting on a hung API server.
// (The real API server, two capper processes and their Pods: test/e2e/capper-lease.e2e.test.ts.)
import { Registry } from 'prom-client';
import t from 'tap';
import { silentLogger } from '../common/index.js';
import { LEADER_LABEL, LeaderLabel, type PodLabelWriter, type PodRef } from './leader-label.js';
import { capperMetrics } from './metrics.js';

const POD: PodRef = { namespace: 'climatik-system', name: 'climatik-capper-7d9f-abcde' };

/** Records each patch as the label value written ('true' or null); `next` decides the outcome. */
function recordingWriter() {
  const writes: (string | null | undefined)[] = [];
  const pods: PodRef[] = [];
  let next: () => Promise<void> = () => Promise.resolve();
  const write: PodLabelWriter = (pod, labels) => {
    pods.push(pod);
    writes.push(labels[LEADER_LABEL]);
    return next();
  };
  return { writes, pods, write, fail: (message: string) => (next = () => Promise.reject(new Error(message))), succeed: () => (next = () => Promise.resolve()), hold: () => {
    let release = (): void => undefined;
    next = () => new Promise<void>((resolve) => (release = resolve));
    return () => release();
  } };
}

function setup({ pod, closeTimeoutMs }: { pod: PodRef | undefined; closeTimeoutMs?: number } = { pod: POD }) {
  const metrics = capperMetrics(new Registry());
  const w = recordingWriter();
  const label = new LeaderLabel({ pod, write: w.write, logger: silentLogger(), failures: metrics.leaderLabelFailures, ...(closeTimeoutMs === undefined ? {} : { closeTimeoutMs }) });
  const failures = async () => (await metrics.leaderLabelFailures.get()).values[0]?.value ?? 0;
  return { label, w, failures };
}

void t.test('local run (no POD_NAME): nothing is ever written', async (t) => {
  const { label, w } = setup({ pod: undefined });
  for (const leader of [true, false, true]) await label.sync(leader);
  await label.close();
  t.same(w.writes, []);
});

void t.test('lease transitions: each renewal result is written once, to this replica\'s own Pod', async (t) => {
  // Each row: the lease state seen by successive renewals → the label writes they cause.
  const cases: { name: string; renewals: boolean[]; writes: (string | null)[] }[] = [
    { name: 'acquires at start and keeps leading', renewals: [true, true, true], writes: ['true'] },
    { name: 'restarted standby clears a stale label once', renewals: [false, false, false], writes: [null] },
    { name: 'standby acquires later', renewals: [false, false, true, true], writes: [null, 'true'] },
    { name: 'leader loses the lease, wins it back', renewals: [true, false, false, true], writes: ['true', null, 'true'] },
  ];
  for (const c of cases) {
    const { label, w } = setup();
    for (const leader of c.renewals) await label.sync(leader);
    t.same(w.writes, c.writes, c.name);
    t.ok(w.pods.every((p) => p === POD), `${c.name}: only its own Pod is patched`);
  }
});

void t.test('API down while acquiring: counted, not thrown, retried at the next renewal', async (t) => {
  const { label, w, failures } = setup();
  w.fail('connect ECONNREFUSED');
  await label.sync(true); // resolves: a failure never reaches the lease loop
  await label.sync(true);
  t.equal(await failures(), 2, 'each failed patch counted');
  w.succeed();
  await label.sync(true);
  await label.sync(true);
  t.same(w.writes, ['true', 'true', 'true'], 'retried until it landed, then quiet');
  t.equal(await failures(), 2);
});

void t.test('slow patch in flight: a renewal meanwhile does not send a second one; the next one corrects', async (t) => {
  const { label, w } = setup();
  const release = w.hold();
  const first = label.sync(true);
  const meanwhile = label.sync(false); // lease lost while the 'true' patch is still out
  t.same(w.writes, ['true'], 'one patch at a time');
  release();
  await Promise.all([first, meanwhile]);
  w.succeed();
  await label.sync(false);
  t.same(w.writes, ['true', null], 'the next renewal removes the label');
});

void t.test('shutdown: the leader\'s label is removed and later renewals are ignored', async (t) => {
  const { label, w } = setup();
  const release = w.hold();
  const acquiring = label.sync(true); // just acquired: its patch is still out when stop() comes
  w.succeed(); // for the patches after this one
  const closing = label.close();
  t.same(w.writes, ['true'], 'close waits for the patch in flight');
  release();
  await Promise.all([acquiring, closing]);
  await label.sync(true); // a renewal that returns after stop()
  t.same(w.writes, ['true', null], 'close waited for the patch in flight, then removed the label');
});

void t.test('shutdown of a standby whose label is already gone writes nothing', async (t) => {
  const { label, w } = setup();
  await label.sync(false);
  await label.close();
  t.same(w.writes, [null]);
});

void t.test('shutdown with a hung API server gives up after closeTimeoutMs', async (t) => {
  const { label, w } = setup({ pod: POD, closeTimeoutMs: 50 });
  await label.sync(true);
  w.hold(); // never answers
  await label.close();
  t.same(w.writes, ['true', null], 'the removal was attempted; close() returned anyway');
});

void t.test('a new leader clears the stale label a crashed leader left on its Pod, once per term', async (t) => {
  const metrics = capperMetrics(new Registry());
  const w = recordingWriter();
  const labelledNow = new Set([POD.name, 'climatik-capper-old-crashed']);
  let listFails = true;
  const write: PodLabelWriter = async (pod, labels) => {
    await w.write(pod, labels);
    if (labels[LEADER_LABEL] === null) labelledNow.delete(pod.name);
    else labelledNow.add(pod.name);
  };
  let lists = 0;
  const label = new LeaderLabel({
    pod: POD,
    write,
    labelled: async () => {
      lists += 1;
      if (listFails) throw new Error('API down');
      return [...labelledNow];
    },
    logger: silentLogger(),
    failures: metrics.leaderLabelFailures,
  });
  await label.sync(true);
  t.same([...labelledNow].sort(), [POD.name, 'climatik-capper-old-crashed'].sort(), 'the list failed: nothing cleared yet');
  t.equal((await metrics.leaderLabelFailures.get()).values[0]?.value, 1, 'counted');
  listFails = false;
  await label.sync(true);
  t.same([...labelledNow], [POD.name], 'retried at the next renewal: only this Pod is selected');
  t.same(w.pods.map((p) => p.name).slice(-1), ['climatik-capper-old-crashed'], 'the stale Pod was unlabelled, not this one');
  const listsBefore = lists;
  await label.sync(true);
  t.equal(lists, listsBefore, 'done once per term: renewals do not list again');
  await label.sync(false);
  labelledNow.add('climatik-capper-other-leader-crashed');
  await label.sync(true);
  t.same([...labelledNow], [POD.name], 'leading again: cleared again');
});
