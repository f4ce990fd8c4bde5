// Shared by the extender benchmark's client and its server processes: a 50-rack hall (5 rows of
// 10, generated recirculation matrix, 100 GPU nodes per rack listed by name) and request bodies
// built from realistic Node objects.
import { gpuPod, wireNode } from '../extender/testing/fixtures.js';

export const ROWS = ['a', 'b', 'c', 'd', 'e'];
export const RACKS_PER_ROW = 10;
export const NODES_PER_RACK = 100;

export const rackId = (i: number): string => `r${String(i).padStart(2, '0')}`;
export const nodeName = (i: number): string => `gpu-${String(i).padStart(5, '0')}`;

export function benchTopologyDoc(): unknown {
  const racks = [];
  for (let i = 0; i < ROWS.length * RACKS_PER_ROW; i++) {
    racks.push({
      id: rackId(i),
      powerBudgetW: 40_000,
      nameplateW: 48_000,
      row: ROWS[Math.floor(i / RACKS_PER_ROW)],
      position: i % RACKS_PER_ROW,
      nodes: Array.from({ length: NODES_PER_RACK }, (_, j) => nodeName(i * NODES_PER_RACK + j)),
    });
  }
  return {
    apiVersion: 'climatik.io/v1alpha1',
    kind: 'RackTopology',
    supplyTemperatureC: 18,
    redlineInletC: 32,
    racks,
    heatRecirculation: { generated: { model: 'row-layout', hotAislePairs: [['a', 'b'], ['c', 'd']] } },
  };
}

/** Most racks at 20–50 % of budget, every 17th nearly full: a hot rack and its neighbours fail. */
export function benchRackPowerW(): Record<string, number> {
  const out: Record<string, number> = {};
  for (let i = 0; i < ROWS.length * RACKS_PER_ROW; i++) out[rackId(i)] = i % 17 === 0 ? 39_500 : 8000 + ((i * 7919) % 12_000);
  return out;
}

export type Form = 'NodeNames' | 'Nodes';

/** An ExtenderArgs body for `count` nodes spread over all racks, as kube-scheduler would send it. */
export function extenderArgs(count: number, form: Form, podIndex = 0): string {
  const stride = Math.max(1, Math.floor((ROWS.length * RACKS_PER_ROW * NODES_PER_RACK) / count));
  const names = Array.from({ length: count }, (_, i) => nodeName((i * stride) % (ROWS.length * RACKS_PER_ROW * NODES_PER_RACK)));
  const pod = gpuPod({ name: `llm-${podIndex}`, uid: `00000000-0000-4000-8000-${String(podIndex).padStart(12, '0')}` });
  if (form === 'NodeNames') return JSON.stringify({ Pod: pod, Nodes: null, NodeNames: names });
  const items = names.map((n, i) => wireNode(n, { 'topology.climatik.io/rack': rackId(Math.floor(((i * stride) % 5000) / NODES_PER_RACK)) }));
  return JSON.stringify({ Pod: pod, Nodes: { metadata: { resourceVersion: '' }, items }, NodeNames: null });
}
