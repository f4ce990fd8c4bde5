import t from 'tap';
import { policySpecIssues, resolvePolicy } from './policy-validate.js';

const base = { mode: 'Enforce', capPercentOfBudget: 90, targets: {} };

void t.test('defaults: Observe-safe values filled, durations in ms', async (t) => {
  const p = resolvePolicy({ capWatts: 8000, targets: {} }, { namespace: 'ml', name: 'p' });
  t.equal(p.mode, 'Observe', 'new users start with Observe');
  t.same(p.cap, { watts: 8000 });
  t.equal(p.observationWindowMs, 4 * 3_600_000);
  t.same(p.forecast, { method: 'holt', horizonMs: 300_000, seasonLengthMs: undefined, upperBandSigmas: 1 });
  t.same(p.hysteresis, { restoreBelowPercentOfCap: 90, restoreAfterMs: 300_000, minActionIntervalMs: 30_000 });
  t.equal(p.strategy, 'PowerOversubscription');
  t.equal(p.gpuPowerLimits.enabled, false);
});

const bad: { name: string; spec: Record<string, unknown>; path: string }[] = [
  { name: 'both caps', spec: { ...base, capWatts: 9000 }, path: '/capPercentOfBudget' },
  { name: 'no cap', spec: { mode: 'Enforce', targets: {} }, path: '/capPercentOfBudget' },
  { name: 'percentage over 100', spec: { ...base, capPercentOfBudget: 120 }, path: '/capPercentOfBudget' },
  { name: 'unknown mode', spec: { ...base, mode: 'Aggressive' }, path: '/mode' },
  { name: 'bad duration', spec: { ...base, observationWindow: '4 hours' }, path: '/observationWindow' },
  { name: 'zero duration', spec: { ...base, hysteresis: { minActionInterval: '0s' } }, path: '/hysteresis/minActionInterval' },
  { name: 'names and selector together', spec: { ...base, targets: { scaledObjects: { names: ['a'], labelSelector: { matchLabels: { a: 'b' } } } } }, path: '/targets/scaledObjects' },
  { name: 'holt-winters without a season', spec: { ...base, forecast: { method: 'holt-winters', horizon: '5m' } }, path: '/forecast/seasonLength' },
  { name: 'unknown field', spec: { ...base, capKW: 9 }, path: '/capKW' },
  { name: 'step above floor', spec: { ...base, targets: { gpuPowerLimits: { enabled: true, floorW: 100, stepW: 150 } } }, path: '/targets/gpuPowerLimits/stepW' },
];
for (const c of bad) {
  void t.test(`invalid: ${c.name}`, async (t) => {
    t.ok(policySpecIssues(c.spec).some((i) => i.path === c.path), `issue at ${c.path}: ${JSON.stringify(policySpecIssues(c.spec))}`);
    t.throws(() => resolvePolicy(c.spec, { namespace: 'ml', name: 'p' }), { code: 'CLIMATIK_CONFIG_INVALID', message: /ml\/p/ });
  });
}
