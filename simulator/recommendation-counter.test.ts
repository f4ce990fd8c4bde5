import t from 'tap';
import type { Action, RackAssessment } from '../capper/decisions/index.js';
import { RecommendationCounter } from './recommendation-counter.js';

type State = RackAssessment['state'];
const rack = (id: string, state: State): RackAssessment => ({ id, state, capW: 9000, excessW: state === 'OverCap' || state === 'ForecastOverCap' ? 500 : -2000 });
const limit = (node: string, rackId: string, limitW: number): Action => ({ kind: 'SetGpuPowerLimit', node, rackId, limitW, reason: 'hot' });
const ceiling = (rackId: string, maxReplicaCount: number): Action => ({
  kind: 'SetMaxReplicas',
  namespace: 'llm',
  name: 'chat',
  rackId,
  maxReplicaCount,
  originalMaxReplicaCount: 16,
  reason: 'hot',
});
const cost = (rackId: string): Action => ({ kind: 'SetPodDeletionCost', namespace: 'llm', name: 'chat-1', rackId, cost: -100, reason: 'hot' });

interface Tick {
  readonly racks: RackAssessment[];
  readonly published: Action[];
  /** Applied = published (Enforce) when true, nothing (Recommend) otherwise. */
  readonly enforce?: boolean;
}

await t.test('recommendations: one per change of a hot rack\'s power actions, as the live report counts them', async (t) => {
  const cases: { name: string; ticks: Tick[]; recommendations: number; taken: number }[] = [
    { name: 'the same GPU step recommended every tick', ticks: [0, 1, 2].map(() => ({ racks: [rack('r1', 'OverCap')], published: [limit('n1', 'r1', 675)] })), recommendations: 1, taken: 0 },
    {
      name: 'state flips between OverCap and ForecastOverCap, same actions',
      ticks: [
        { racks: [rack('r1', 'OverCap')], published: [limit('n1', 'r1', 675)] },
        { racks: [rack('r1', 'ForecastOverCap')], published: [limit('n1', 'r1', 675)] },
      ],
      recommendations: 1,
      taken: 0,
    },
    {
      name: 'each tightening step applied in Enforce is a new, taken recommendation',
      ticks: [675, 650, 625].map((w) => ({ racks: [rack('r1', 'OverCap')], published: [limit('n1', 'r1', w)], enforce: true })),
      recommendations: 3,
      taken: 3,
    },
    {
      name: 'recovered, then hot again with the same actions',
      ticks: [
        { racks: [rack('r1', 'OverCap')], published: [limit('n1', 'r1', 675)] },
        { racks: [rack('r1', 'Recovering')], published: [] },
        { racks: [rack('r1', 'OverCap')], published: [limit('n1', 'r1', 675)] },
      ],
      recommendations: 2,
      taken: 0,
    },
    {
      name: 'stale telemetry (Unknown) is not a recovery',
      ticks: [
        { racks: [rack('r1', 'OverCap')], published: [limit('n1', 'r1', 675)] },
        { racks: [rack('r1', 'Unknown')], published: [] },
        { racks: [rack('r1', 'OverCap')], published: [limit('n1', 'r1', 675)] },
      ],
      recommendations: 1,
      taken: 0,
    },
    {
      name: 'deletion costs alone, or a cool rack\'s give-back, are not recommendations',
      ticks: [
        { racks: [rack('r1', 'OverCap')], published: [cost('r1')] },
        { racks: [rack('r1', 'UnderCap')], published: [{ kind: 'ClearGpuPowerLimit', node: 'n1', rackId: 'r1', reason: 'cool' }] },
      ],
      recommendations: 0,
      taken: 0,
    },
    {
      name: 'two hot racks, actions counted per rack (a replica ceiling included)',
      ticks: [{ racks: [rack('r1', 'OverCap'), rack('r2', 'ForecastOverCap')], published: [limit('n1', 'r1', 675), ceiling('r2', 12), cost('r2')], enforce: true }],
      recommendations: 2,
      taken: 2,
    },
  ];
  for (const c of cases) {
    const counter = new RecommendationCounter();
    for (const tick of c.ticks) counter.observe(tick.racks, tick.published, tick.enforce === true ? tick.published : []);
    t.equal(counter.recommendations, c.recommendations, `${c.name}: recommendations`);
    t.equal(counter.taken, c.taken, `${c.name}: taken`);
  }
});
