import t from 'tap';
import { coefficientOfPerformance, coolingPowerW, inletTemperaturesC, recirculationRiseC, thermalDetail, thermalSummary } from './thermal.js';
import { testTopology } from './planner-conformance.js';

await t.test('CoP follows the HP Labs curve', async (t) => {
  // 0.0068·20² + 0.0008·20 + 0.458 = 2.72 + 0.016 + 0.458 = 3.194
  t.ok(Math.abs(coefficientOfPerformance(20) - 3.194) < 1e-12);
  t.ok(Math.abs(coefficientOfPerformance(15) - 2.0) < 1e-12, '0.0068·225 + 0.012 + 0.458 = 2.0');
  t.ok(coefficientOfPerformance(25) > coefficientOfPerformance(18), 'warmer supply air is cheaper to make');
  t.ok(Math.abs(coolingPowerW(3194, 20) - 1000) < 1e-9);
});

await t.test('two racks: inlet temperatures, rise and summary by hand', async (t) => {
  // The issue example: P = (12, 9) kW. rise = (0.3·12 + 0.1·9, 0.12·12 + 0.25·9) = (4.5, 3.69) °C.
  const topo = testTopology([[0.3, 0.1], [0.12, 0.25]], [30000, 30000]);
  const power = { r01: 12000, r02: 9000 };
  const rise = recirculationRiseC(topo, power);
  t.ok(Math.abs((rise[0] ?? 0) - 4.5) < 1e-12 && Math.abs((rise[1] ?? 0) - 3.69) < 1e-12, `rise ${rise}`);
  t.same(inletTemperaturesC(topo, power).map((x) => Number(x.toFixed(9))), [22.5, 21.69]);
  // Highest usable supply 27 − 4.5 = 22.5 °C; CoP(22.5) = 0.0068·506.25 + 0.018 + 0.458 = 3.9185; 21 kW / 3.9185.
  const s = thermalSummary(topo, power);
  t.ok(Math.abs(s.peakInletC - 22.5) < 1e-12);
  t.ok(Math.abs(s.maxSupplyTemperatureC - 22.5) < 1e-12);
  t.ok(Math.abs(s.coolingPowerW - 21000 / 3.9185) < 1e-6, `cooling ${s.coolingPowerW}`);
  const d = thermalDetail(topo, power);
  t.equal(d.hottestRackId, 'r01');
  t.equal(d.itPowerW, 21000);
  // At the configured 18 °C the CRAC works harder: CoP(18) = 2.6756, 21 kW / 2.6756.
  t.ok(Math.abs(d.coolingPowerAtSupplyW - 21000 / 2.6756) < 1e-6);
  t.ok(d.coolingPowerAtSupplyW > d.coolingPowerW);
});

await t.test('racks missing from the power map count as 0 W', async (t) => {
  const topo = testTopology([[0.3, 0.1], [0.12, 0.25]], [30000, 30000]);
  t.same(recirculationRiseC(topo, {}), [0, 0]);
  t.equal(thermalSummary(topo, {}).peakInletC, 18);
  t.equal(thermalSummary(topo, {}).coolingPowerW, 0);
});
