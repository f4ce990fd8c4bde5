import t from 'tap';
import { DEFAULT_POD_POWER_CONFIG } from './decisions/index.js';
import { BindLedger } from './ledger.js';
import { PendingDemand, applyPodEvent, boundAtMs, ledgerEntryOf, type TrackedPod, type TrackingContext } from './pod-tracking.js';
import { fourRackTopology, gpuPod } from './testing/fixtures.js';

const ctx: TrackingContext = {
  topology: fourRackTopology(),
  labelsOf: (node) => (node === 'gpu-4z' ? { 'topology.climatik.io/rack': 'r4', 'nvidia.com/gpu.product': 'A100' } : undefined),
  podPower: { ...DEFAULT_POD_POWER_CONFIG, wattsPerGpuByModel: { A100: 400 } },
};

function pod(name: string, opts: { node?: string; scheduledAt?: string; created?: string; phase?: string; gpus?: number } = {}): TrackedPod {
  const base = gpuPod({ name, uid: `uid-${name}`, gpus: opts.gpus ?? 1 }) as TrackedPod;
  return {
    ...base,
    metadata: { ...base.metadata, creationTimestamp: opts.created ?? '2025-06-01T10:00:00Z' },
    spec: { ...base.spec, ...(opts.node === undefined ? {} : { nodeName: opts.node }) },
    status: {
      phase: opts.phase ?? 'Pending',
      conditions: opts.scheduledAt === undefined ? [] : [{ type: 'PodScheduled', status: 'True', lastTransitionTime: new Date(opts.scheduledAt) }],
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
