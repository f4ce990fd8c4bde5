// Shared test fixtures: a four-rack row with a measured recirculation matrix whose numbers are easy
// to check by hand, realistic Pod and Node objects, and an app wired with fakes.
import { Registry } from 'prom-client';
import { ManualClock, silentLogger } from '../../common/index.js';
import { parseTopology } from '../../rack-model/index.js';
import type { Topology } from '../../rack-model/types.js';
import { buildExtender, type BuiltExtender } from '../app.js';
import type { Binder } from '../binder.js';
import type { ExtenderSettings, InformerSync } from '../context.js';
import { DEFAULT_POD_POWER_CONFIG } from '../decisions/index.js';
import { BindLedger } from '../ledger.js';
import type { NodeLabelSource } from '../placement.js';
import type { StoredPlan } from '../plan-store.js';
import type { PowerSource } from '../power-source.js';
import { StaticSnapshotSource, emptySnapshot, type Sampled, type Snapshot, type SnapshotSource } from '../../telemetry/index.js';
import { TopologyStore } from '../topology-store.js';
import type { PolicyStatusSource } from '../ui/policy-source.js';

/** r1..r4 in one row; 0.3 °C/kW on a rack's own inlet, 0.1 to neighbours, 0.02 further away. */
export const TOPOLOGY_YAML = `apiVersion: climatik.io/v1alpha1
kind: RackTopology
supplyTemperatureC: 18
redlineInletC: 27
racks:
  - { id: r1, powerBudgetW: 10000, nameplateW: 12000, nodes: [gpu-1a, gpu-1b] }
  - { id: r2, powerBudgetW: 10000, nameplateW: 12000, nodes: [gpu-2a] }
  - { id: r3, powerBudgetW: 10000, nameplateW: 12000, nodes: [gpu-3a] }
  - { id: r4, powerBudgetW: 10000, nameplateW: 12000 }
heatRecirculation:
  matrixCPerKW:
    - [0.3, 0.1, 0.02, 0.02]
    - [0.1, 0.3, 0.1, 0.02]
    - [0.02, 0.1, 0.3, 0.1]
    - [0.02, 0.02, 0.1, 0.3]
`;

export function fourRackTopology(): Topology {
  const store = new TopologyStore();
  const r = store.apply(TOPOLOGY_YAML, 'fixture');
  if (!r.accepted) throw new Error(`fixture topology rejected: ${r.message}`);
  return r.topology;
}

export function topologyFrom(doc: unknown): Topology {
  return parseTopology(doc, 'test');
}

export const T0_MS = 1_750_000_000_000;

export function gpuPod(opts: { name?: string; uid?: string; gpus?: number; annotationW?: string; namespace?: string } = {}): Record<string, unknown> {
  const gpus = opts.gpus ?? 1;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: opts.name ?? 'llm-0',
      namespace: opts.namespace ?? 'inference',
      uid: opts.uid ?? '6f1c2d3e-0000-4000-8000-000000000001',
      labels: { app: 'vllm' },
      annotations: opts.annotationW === undefined ? {} : { 'climatik.io/expected-power-watts': opts.annotationW },
    },
    spec: {
      schedulerName: 'climatik-scheduler',
      containers: [
        {
          name: 'vllm',
          image: 'vllm/vllm-openai:v0.6.3',
          resources: { requests: { cpu: '8', memory: '64Gi', 'nvidia.com/gpu': String(gpus) }, limits: { 'nvidia.com/gpu': String(gpus) } },
        },
      ],
    },
    status: { phase: 'Pending' },
  };
}

/** A Node roughly as the API serves it (labels, capacity, conditions, images). */
export function wireNode(name: string, labels: Record<string, string> = {}): Record<string, unknown> {
  return {
    metadata: {
      name,
      uid: `uid-${name}`,
      resourceVersion: '12345',
      creationTimestamp: '2025-06-01T00:00:00Z',
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'node.kubernetes.io/instance-type': 'p5.48xlarge',
        'nvidia.com/gpu.product': 'NVIDIA-H100-80GB-HBM3',
        'nvidia.com/gpu.count': '8',
        ...labels,
      },
      annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' },
    },
    spec: { podCIDR: '10.244.1.0/24', providerID: `aws:///us-east-1a/i-${name}` },
    status: {
      capacity: { cpu: '192', memory: '2097152Mi', 'nvidia.com/gpu': '8', pods: '110', 'ephemeral-storage': '500Gi' },
      allocatable: { cpu: '191', memory: '2090000Mi', 'nvidia.com/gpu': '8', pods: '110', 'ephemeral-storage': '480Gi' },
      conditions: ['MemoryPressure', 'DiskPressure', 'PIDPressure', 'Ready'].map((type) => ({
        type,
        status: type === 'Ready' ? 'True' : 'False',
        lastHeartbeatTime: '2025-06-01T10:00:00Z',
        lastTransitionTime: '2025-06-01T00:00:00Z',
        reason: type === 'Ready' ? 'KubeletReady' : `KubeletHasNo${type}`,
        message: 'kubelet is posting ready status',
      })),
      addresses: [
        { type: 'InternalIP', address: '10.0.1.17' },
        { type: 'Hostname', address: name },
      ],
      nodeInfo: {
        architecture: 'amd64',
        kernelVersion: '6.1.0-27-amd64',
        kubeletVersion: 'v1.31.2',
        containerRuntimeVersion: 'containerd://1.7.22',
        osImage: 'Debian GNU/Linux 12 (bookworm)',
        operatingSystem: 'linux',
      },
      images: [
        { names: ['vllm/vllm-openai@sha256:0c1d2e3f', 'vllm/vllm-openai:v0.6.3'], sizeBytes: 9_876_543_210 },
        { names: ['nvcr.io/nvidia/k8s-device-plugin:v0.16.2'], sizeBytes: 123_456_789 },
        { names: ['registry.k8s.io/pause:3.10'], sizeBytes: 320_368 },
      ],
    },
  };
}

export interface TestExtenderOptions {
  readonly topology?: Topology | 'none';
  readonly rackPowerW?: Record<string, number>;
  readonly power?: PowerSource;
  readonly plan?: StoredPlan;
  readonly binder?: Binder;
  readonly nodeLabels?: NodeLabelSource;
  readonly settings?: Partial<ExtenderSettings>;
  readonly clock?: ManualClock;
  readonly informers?: InformerSync;
  readonly policyStatusSource?: PolicyStatusSource;
}

export const TEST_SETTINGS: ExtenderSettings = {
  bodyLimitBytes: 1024 * 1024,
  unknownNodePolicy: 'allow',
  staleAfterMs: 60_000,
  podPower: DEFAULT_POD_POWER_CONFIG,
  readyWithoutTelemetry: false,
};

export async function testExtender(opts: TestExtenderOptions = {}): Promise<BuiltExtender & { ledger: BindLedger; store: TopologyStore; clock: ManualClock }> {
  const clock = opts.clock ?? new ManualClock(T0_MS);
  const store = new TopologyStore();
  if (opts.topology !== 'none') store.set(opts.topology ?? fourRackTopology());
  const ledger = new BindLedger();
  const built = await buildExtender({
    topology: store,
    power: opts.power ?? new StaticSnapshotSource(opts.rackPowerW ?? { r1: 5000, r2: 5000, r3: 5000, r4: 5000 }, clock),
    plan: () => opts.plan,
    ledger,
    binder: opts.binder,
    ...(opts.informers === undefined ? {} : { informers: opts.informers }),
    ...(opts.nodeLabels === undefined ? {} : { nodeLabels: opts.nodeLabels }),
    ...(opts.policyStatusSource === undefined ? {} : { policyStatusSource: opts.policyStatusSource }),
    logger: silentLogger(),
    registry: new Registry(),
    clock,
    settings: { ...TEST_SETTINGS, ...opts.settings },
  });
  return { ...built, ledger, store, clock };
}

/**
 * A snapshot as the Prometheus collector builds it: every listed node reports power (the rack's
 * share) and every rack its sum, all sampled now.
 */
export function liveLikeSource(rackPowerW: Record<string, number>, topology: Topology, clock: { nowMs(): number }, missingNodes: readonly string[] = []): SnapshotSource {
  return {
    current(): Snapshot {
      const nowMs = clock.nowMs();
      const sample = (value: number): Sampled => ({ value, sampleTimeMs: nowMs, stale: false, source: 'fixture' });
      const racks: Record<string, Sampled> = {};
      const nodes: Record<string, Sampled> = {};
      for (const [id, w] of Object.entries(rackPowerW)) {
        racks[id] = sample(w);
        const listed = topology.racks.find((r) => r.id === id)?.nodes ?? [];
        for (const n of listed) if (!missingNodes.includes(n)) nodes[n] = sample(w / listed.length);
      }
      return emptySnapshot(nowMs, { rackPowerW: racks, nodePowerW: nodes });
    },
    start() {},
    async stop() {},
  };
}
