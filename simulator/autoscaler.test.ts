import t from 'tap';
import { Autoscaler, type AutoscalerSpec } from './autoscaler.js';

const SPEC: AutoscalerSpec = {
  targetConcurrencyPerReplica: 10,
  minReplicas: 2,
  maxReplicas: 20,
  pollingIntervalS: 15,
  scaleDownStabilisationS: 300,
  tolerance: 0.1,
};

await t.test('load rising: replicas follow concurrency / target, at most max(2x, +4) per poll', async (t) => {
  const a = new Autoscaler(SPEC);
  t.equal(a.poll(0, 40, 2), 4, '40 in flight at 10 each');
  t.equal(a.poll(15, 400, 4), 8, 'capped at 2x per period');
  t.equal(a.poll(30, 400, 8), 16);
  t.equal(a.poll(45, 400, 16), 20, 'maxReplicas');
});

await t.test('not yet time to poll: no answer', async (t) => {
  const a = new Autoscaler(SPEC);
  t.equal(a.poll(0, 40, 4), 4);
  t.equal(a.poll(10, 400, 4), undefined);
});

await t.test('within tolerance: no change', async (t) => {
  const a = new Autoscaler(SPEC);
  t.equal(a.poll(0, 42, 4), 4, '42 vs 40 is within 10 %');
});

await t.test('load falling: scale-down waits for the stabilisation window', async (t) => {
  const a = new Autoscaler(SPEC);
  t.equal(a.poll(0, 100, 10), 10);
  t.equal(a.poll(15, 20, 10), 10, 'the recommendation of 10 at t=0 still holds');
  let n = 10;
  for (let time = 30; time <= 330; time += 15) n = a.poll(time, 20, n) ?? n;
  t.equal(n, 2, 'after 300 s only the low recommendations remain');
});

await t.test('warm start: a fresh autoscaler does not collapse a running service', async (t) => {
  const a = new Autoscaler(SPEC);
  t.equal(a.poll(1, 0, 12), 12);
});

await t.test('capper lowers maxReplicas: the next poll clamps to it (HPA behaviour), never below min', async (t) => {
  const a = new Autoscaler(SPEC);
  t.equal(a.poll(0, 150, 15), 15);
  a.maxReplicas = 6;
  t.equal(a.poll(15, 150, 15), 6);
  a.maxReplicas = 1;
  t.equal(a.poll(30, 150, 6), 2, 'minReplicas wins');
});
