import t from 'tap';
import { loadTopologyFile, greedyPlanner } from '../../rack-model/index.js';
import { Cluster, type NodeHardware, type PodRequest } from '../cluster.js';
import type { GpuPowerSpec } from '../gpu-power.js';
import { createPrng } from '../prng.js';
import { Replica } from '../replica.js';
import { kubeDefaultPolicy, randomPolicy } from './baselines.js';
import { climatikPolicy } from './climatik.js';
import { heatRecirculationFactors, minHrPolicy } from './min-hr.js';
import type { PlacementPolicy, PlacementRequest, TelemetryView } from './types.js';

const TOPOLOGY = new URL('../testdata/tiny-topology.yaml', import.meta.url).pathname;
const GPU: GpuPowerSpec = { idleW: 75, prefillW: 700, decodeW: 380, maxLimitW: 700, minLimitW: 200, capSlowdownExponent: 0.74 };
const HW: NodeHardware = { gpus: 8, cpuMillicores: 224_000, memoryMiB: 2_000_000, hostIdleW: 1500, hostDynamicFraction: 0.25 };
const POD: PodRequest = { gpus: 2, cpuMillicores: 24_000, memoryMiB: 200_000 };
const REQUEST: PlacementRequest = { service: 'chat', pod: POD, expectedPowerW: 1400 };
const SERVING = { gpusPerReplica: 2, prefillTokensPerS: 1, decodeBaseIterationMs: 1, decodePerSequenceMs: 0, maxBatch: 1, startupS: 0 };

async function placeMany(make: (c: Cluster) => PlacementPolicy, count: number, telemetry?: TelemetryView) {
  const topology = await loadTopologyFile(TOPOLOGY);
  const cluster = new Cluster(topology, HW, GPU, 2);
  const policy = make(cluster);
  const view = { nowS: 0, topology, cluster, telemetry: telemetry ?? { sampledAtS: 0, rackPowerW: {}, boundSinceSampleW: {} } };
  const placed: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const node = policy.place(view, REQUEST);
    if (node === undefined) break;
    node.allocate(new Replica(`chat-${i}`, node.name, node.rackId, 0, 0, SERVING, GPU), POD);
    placed.push(node.name);
  }
  return { cluster, placed, topology };
}

await t.test('default-spread (LeastAllocated) puts one pod per node before doubling up', async (t) => {
  const { placed } = await placeMany(() => kubeDefaultPolicy('default-spread', 'LeastAllocated', createPrng(1)), 8);
  t.equal(new Set(placed).size, 8);
});

await t.test('bin-pack (MostAllocated) fills a node before opening the next', async (t) => {
  const { placed } = await placeMany(() => kubeDefaultPolicy('bin-pack', 'MostAllocated', createPrng(1)), 8);
  t.equal(new Set(placed).size, 2, '8 pods of 2 GPUs on 8-GPU nodes');
});

await t.test('full cluster: every policy returns no node rather than overcommitting', async (t) => {
  const { placed, cluster } = await placeMany(() => randomPolicy(createPrng(5)), 40);
  t.equal(placed.length, 32, '8 nodes x 4 pods of 2 GPUs');
  t.ok(cluster.nodes.every((n) => n.gpusUsed <= n.hw.gpus));
});

await t.test('min-hr: an empty room takes the first pods where they raise the peak inlet least (not the row ends)', async (t) => {
  const { placed, topology } = await placeMany((c) => minHrPolicy(c.topology, createPrng(1)), 4);
  // End racks' inlets are 1.5x as sensitive (endOfRowFactor), so their own heat hurts most.
  t.ok(placed.every((n) => n.startsWith('r2-') || n.startsWith('r3-')), `placed on ${placed.join(',')}`);
  t.equal(new Set(placed).size, 1, 'packs the chosen node, keeping the others idle');
  t.equal(heatRecirculationFactors(topology).length, 4);
});

await t.test('climatik: a rack at its budget receives no new replica (the extender filter)', async (t) => {
  const telemetry: TelemetryView = { sampledAtS: 0, rackPowerW: { r1: 9000, r2: 4000, r3: 4000, r4: 4000 }, boundSinceSampleW: {} };
  const { placed } = await placeMany(() => climatikPolicy({ extenderWeight: 20, planner: greedyPlanner }, createPrng(1)), 6, telemetry);
  t.ok(placed.length > 0);
  t.notOk(placed.some((n) => n.startsWith('r1-')), `placed on ${placed.join(',')}`);
});

await t.test('climatik: every rack over budget leaves the pod Pending and counts a rejection', async (t) => {
  const telemetry: TelemetryView = { sampledAtS: 0, rackPowerW: { r1: 9000, r2: 9000, r3: 9000, r4: 9000 }, boundSinceSampleW: {} };
  const policy = climatikPolicy({ extenderWeight: 20, planner: greedyPlanner }, createPrng(1));
  const { placed } = await placeMany(() => policy, 1, telemetry);
  t.same(placed, []);
  t.equal(policy.rejections, 1);
});
