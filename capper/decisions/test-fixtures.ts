// Literal inputs for the decision tests: two racks of 10 kW, cap 90 % (9 kW, restore below 8.1 kW),
// rack-a with nodes a1, a2 (4 GPUs each, default 400 W, min 150 W), rack-b with b1.
import type { Topology } from '../../rack-model/types.js';
import { resolvePolicy, type ResolvedPolicy } from '../policy-validate.js';
import type { CurrentTargets, DecisionInput, NodeTarget, PodTarget, PowerSample, PowerSnapshot, ScaledObjectTarget } from './types.js';

export const NOW_MS = 1_700_000_000_000;

export const topology: Topology = {
  supplyTemperatureC: 18,
  redlineInletC: 27,
  rackLabel: 'topology.climatik.io/rack',
  racks: [
    { id: 'rack-a', index: 0, powerBudgetW: 10_000, nameplateW: 12_000, nodes: ['a1', 'a2'] },
    { id: 'rack-b', index: 1, powerBudgetW: 10_000, nameplateW: 12_000, nodes: ['b1'] },
  ],
  rackIndex: new Map([['rack-a', 0], ['rack-b', 1]]),
  nodeRack: new Map([['a1', 'rack-a'], ['a2', 'rack-a'], ['b1', 'rack-b']]),
  recirculationCPerKW: [[0.2, 0.05], [0.05, 0.2]],
  matrixSource: 'measured',
};

export function policy(overrides: Record<string, unknown> = {}): ResolvedPolicy {
  return resolvePolicy(
    {
      mode: 'Enforce',
      capPercentOfBudget: 90,
      targets: { scaledObjects: { names: ['llm'] }, gpuPowerLimits: { enabled: true, floorW: 150, stepW: 25 } },
      forecast: { method: 'off', horizon: '5m' },
      ...overrides,
    },
    { namespace: 'ml', name: 'cap' },
  );
}

const gpus = { gpuCount: 4, defaultLimitW: 400, minLimitW: 150, maxLimitW: 400 };

export function node(name: string, rackId: string, desiredLimitW?: number): NodeTarget {
  return { name, rackId, desiredLimitW, gpus };
}

export function scaledObject(overrides: Partial<ScaledObjectTarget> = {}): ScaledObjectTarget {
  return {
    namespace: 'ml',
    name: 'llm',
    minReplicaCount: 2,
    maxReplicaCount: 10,
    originalMaxReplicaCount: undefined,
    cappedMaxReplicaCount: undefined,
    replicasByRack: { 'rack-a': 6, 'rack-b': 2 },
    ...overrides,
  };
}

export function pods(so: ScaledObjectTarget, costByRack: Record<string, number> = {}): PodTarget[] {
  return Object.entries(so.replicasByRack).flatMap(([rackId, n]) =>
    Array.from({ length: n }, (_, i) => ({ namespace: so.namespace, name: `${so.name}-${rackId}-${i}`, rackId, scaledObject: `${so.namespace}/${so.name}`, deletionCost: costByRack[rackId] })),
  );
}

export function snapshot(rackPowerW: Record<string, number>, opts: { stale?: string[]; podW?: Record<string, number> } = {}): PowerSnapshot {
  const sample = (value: number, stale: boolean) => ({ value, sampleTimeMs: NOW_MS - 5_000, stale });
  return {
    takenAtMs: NOW_MS,
    rackPowerW: Object.fromEntries(Object.entries(rackPowerW).map(([id, w]) => [id, sample(w, opts.stale?.includes(id) ?? false)])),
    podPowerW: Object.fromEntries(Object.entries(opts.podW ?? {}).map(([k, w]) => [k, sample(w, false)])),
  };
}

/** Evenly spaced samples ending now, one a minute. */
export function ramp(fromW: number, perMinuteW: number, minutes: number): PowerSample[] {
  return Array.from({ length: minutes + 1 }, (_, i) => ({ timeMs: NOW_MS - (minutes - i) * 60_000, powerW: fromW + perMinuteW * i }));
}

export function input(parts: Partial<DecisionInput> & { targets?: CurrentTargets }): DecisionInput {
  const so = scaledObject();
  return {
    policy: policy(),
    topology,
    snapshot: snapshot({ 'rack-a': 7000, 'rack-b': 7000 }),
    history: {},
    targets: { nodes: [node('a1', 'rack-a'), node('a2', 'rack-a'), node('b1', 'rack-b')], scaledObjects: [so], pods: pods(so) },
    state: { lastActionMs: {}, belowRestoreSinceMs: {} },
    nowMs: NOW_MS,
    ...parts,
  };
}
