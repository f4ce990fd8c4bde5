// A hot-rack recommendation as the capper would build it, for the sink tests.
import type { Recommendation } from '../types.js';

export function hotRackRecommendation(overrides: Partial<Recommendation> = {}): Recommendation {
  return {
    id: 'llm/rack-a-cap/rack-a/1764411600000',
    policy: { namespace: 'llm', name: 'rack-a-cap' },
    rack: { id: 'rack-a', state: 'OverCap', capW: 9000, measuredW: 9600, forecastW: 9850, excessW: 850 },
    actions: [
      { kind: 'SetGpuPowerLimit', node: 'gpu-node-1', rackId: 'rack-a', limitW: 275, reason: 'rack-a 850 W over cap' },
      { kind: 'SetMaxReplicas', namespace: 'llm', name: 'llama-70b', rackId: 'rack-a', maxReplicaCount: 6, originalMaxReplicaCount: 8, reason: 'GPU limits at floor' },
    ],
    expectedEffect: '≈ −900 W: rack-a back under its 9000 W cap',
    createdAtMs: Date.UTC(2026, 10, 29, 10, 20, 0),
    ...overrides,
  };
}
