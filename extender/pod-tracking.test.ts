import t from 'tap';
import { DEFAULT_POD_POWER_CONFIG } from './decisions/index.js';
import { BindLedger } from './ledger.js';
import { PendingDemand, applyPodEvent, boundAtMs, ledgerEntryOf, runningSinceMs, type TrackedPod, type TrackingContext } from './pod-tracking.js';
import { fourRackTopology, gpuPod } from './testing/fixtures.js';

const ctx: TrackingContext = {
  topology: fourRackTopology(),
  labelsOf: (node) => (node === 'gpu-4z' ? { 'topology.climatik.io/rack': 'r4', 'nvidia.com/gpu.product': 'A100' } : undefined),
  podPower: { ...DEFAULT_POD_POWER_CONFIG, wattsPerGpuByModel: { A100: 400 } },
};

function pod(name: string, opts: { node?: string; scheduledAt?: string; created?: string; phase?: string; gpus?: number; readyAt?: string; ready?: string } = {}): TrackedPod {
  const base = gpuPod({ name, uid: `uid-${name}`, gpus: opts.gpus ?? 1 }) as TrackedPod;
  return {
    ...base,
    metadata: { ...base.metadata, creationTimestamp: opts.created ?? '2025-06-01T10:00:00Z' },
    spec: { ...base.spec, ...(opts.node === undefined ? {} : { nodeName: opts.node }) },
    status: {
      phase: opts.phase ?? 'Pending',
      conditions: [
        ...(opts.scheduledAt === undefined ? [] : [{ type: 'PodScheduled', status: 'True', lastTransitionTime: new Date(opts.scheduledAt) }]),
        ...(opts.readyAt === undefined ? [] : [{ type: 'Ready', status: opts.ready ?? 'True', lastTransitionTime: new Date(opts.readyAt) }]),
      ],
    },
  };
}

void t.test('bind time: PodScheduled transition, else creation', async (t) => {
  t.equal(boundAtMs(pod('a', { scheduledAt: '2025-06-01T10:00:05Z' })), Date.parse('2025-06-01T10:00:05Z'));
  t.equal(boundAtMs(pod('a')), Date.parse('2025-06-01T10:00:00Z'));
  t.equal(boundAtMs({ metadata: { creationTimestamp: 'garbage' } }), undefined);
});

void t.test('ledger entries from the informer: bound pods on known racks, with node-label GPU model', async (t) => {
  t.match(ledgerEntryOf(pod('a', { node: 'gpu-1a', scheduledAt: '2025-06-01T10:00:05Z' }), ctx), { key: 'uid:uid-a', rackId: 'r1', powerW: 700 });
  t.match(ledgerEntryOf(pod('b', { node: 'gpu-4z', gpus: 2 }), ctx), { rackId: 'r4', powerW: 800 }, 'A100 node: 2 × 400 W');
  t.equal(ledgerEntryOf(pod('c'), ctx), undefined, 'not bound');
  t.equal(ledgerEntryOf(pod('d', { node: 'cpu-1' }), ctx), undefined, 'unknown node');
  t.equal(ledgerEntryOf(pod('e', { node: 'gpu-1a', phase: 'Succeeded' }), ctx), undefined, 'finished');
  t.equal(ledgerEntryOf(pod('f', { node: 'gpu-1a' }), { ...ctx, topology: undefined }), undefined, 'no topology');
});

void t.test('pod events keep ledger and pending demand in step (another replica bound it)', async (t) => {
  const ledger = new BindLedger();
  const pending = new PendingDemand();
  t.ok(applyPodEvent('add', pod('a', { gpus: 2 }), ctx, ledger, pending));
  t.equal(pending.totalW, 1400, 'waiting pod is pending demand');
  t.equal(ledger.size, 0);
  t.ok(applyPodEvent('update', pod('a', { gpus: 2, node: 'gpu-2a', scheduledAt: '2025-06-01T10:00:05Z' }), ctx, ledger, pending));
  t.equal(pending.totalW, 0);
  t.match(ledger.get('uid:uid-a'), { rackId: 'r2', powerW: 1400 });
  t.notOk(applyPodEvent('update', pod('a', { gpus: 2, node: 'gpu-2a', scheduledAt: '2025-06-01T10:00:05Z' }), ctx, ledger, pending), 'resync is no change');
  t.ok(applyPodEvent('update', pod('a', { gpus: 2, node: 'gpu-2a', phase: 'Failed' }), ctx, ledger, pending));
  t.equal(ledger.size, 0, 'terminal pods leave the ledger');
  applyPodEvent('add', pod('b'), ctx, ledger, pending);
  t.ok(applyPodEvent('delete', pod('b'), ctx, ledger, pending));
  t.equal(pending.totalW, 0);
});

void t.test('running since: Running and Ready, from the Ready transition', async (t) => {
  const at = '2025-06-01T10:05:00Z';
  const cases: { name: string; p: TrackedPod; want: number | undefined }[] = [
    { name: 'bound, Pending (image pull)', p: pod('a', { node: 'gpu-1a', scheduledAt: at }), want: undefined },
    { name: 'Running, not Ready (model loading behind a readiness probe)', p: pod('a', { node: 'gpu-1a', phase: 'Running', readyAt: at, ready: 'False' }), want: undefined },
    { name: 'Running and Ready', p: pod('a', { node: 'gpu-1a', phase: 'Running', readyAt: at }), want: Date.parse(at) },
  ];
  for (const c of cases) t.equal(runningSinceMs(c.p), c.want, c.name);
});

void t.test('restarted replica: pods bound before the restart count in full until they run, whatever the sample time', async (t) => {
  const ledger = new BindLedger();
  const pending = new PendingDemand();
  // Bound an hour before this replica started; every telemetry sample it will ever see is newer.
  applyPodEvent('add', pod('old', { node: 'gpu-1a', scheduledAt: '2025-06-01T09:00:00Z' }), ctx, ledger, pending);
  applyPodEvent('add', pod('ready', { node: 'gpu-2a', scheduledAt: '2025-06-01T09:00:00Z', phase: 'Running', readyAt: '2025-06-01T09:30:00Z' }), ctx, ledger, pending);
  const nowMs = Date.parse('2025-06-01T10:00:00Z');
  const counted = ledger.uncoveredByRackW({ nowMs, warmupMs: 10 * 60_000, podPowerW: () => undefined, skipRack: () => false });
  t.same(counted, { r1: 700 }, 'the Pending pod counts in full; the one Ready for 30 min is in rack telemetry');
  t.match(ledger.get('uid:uid-old'), { confirmed: true, podRef: 'inference/old' });
});
