import t from 'tap';
import { resolvePolicy } from '../capper/policy-validate.js';
import { loadTopologyFile } from '../rack-model/index.js';
import { CapMeter } from './cap-meter.js';

const TOPOLOGY = new URL('./testdata/tiny-topology.yaml', import.meta.url).pathname;
const policy = (spec: Record<string, unknown>) => resolvePolicy({ mode: 'Enforce', targets: {}, ...spec }, { namespace: 'ns', name: 'p' });

await t.test('cap meter: guarded racks only, against the capper\'s own cap', async (t) => {
  const topology = await loadTopologyFile(TOPOLOGY); // four racks r1..r4, 9 kW budgets
  const cases = [
    // 95 % of 9 kW = 8550 W: r2 breaches in the second step only.
    { name: 'every rack, percent of budget', spec: { capPercentOfBudget: 95 }, guarded: 4, breachS: 2, peakW: 8600, energyKWh: (4 * 8000 + 4 * 8000 + 600) * 2 / 3.6e6 },
    // Only r3 and r4 guarded, 8 kW cap: r3 is at 8 kW (not above) the whole time.
    { name: 'a rack list and capWatts', spec: { capWatts: 8000, racks: ['r3', 'r4'] }, guarded: 2, breachS: 0, peakW: 8000, energyKWh: (2 * 8000 * 4) / 3.6e6 },
  ];
  for (const c of cases) {
    const meter = new CapMeter(policy(c.spec), topology);
    t.equal(meter.guardedRackCount, c.guarded, `${c.name}: guarded`);
    meter.add(Float64Array.from([8000, 8000, 8000, 8000]), 2);
    meter.add(Float64Array.from([8000, 8600, 8000, 8000]), 2);
    const side = meter.side(99.5);
    t.equal(side.capBreachSeconds, c.breachS, `${c.name}: breach seconds`);
    t.equal(side.peakPowerW, c.peakW, `${c.name}: peak`);
    t.ok(Math.abs(side.energyKWh - c.energyKWh) < 1e-3, `${c.name}: energy ${side.energyKWh} vs ${c.energyKWh}`);
    t.ok(Math.abs(side.meanPowerW - (c.energyKWh * 3.6e6) / 4) < 0.1, `${c.name}: mean power`);
    t.equal(side.servedPercent, 99.5);
  }
});
