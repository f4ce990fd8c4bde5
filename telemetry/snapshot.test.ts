// Unit: node power composition, rack aggregation, carry-forward and staleness, and the consumers'
// fallback (effectiveRackPowerW) — pure functions over literal readings.
import t from 'tap';
import { carryComponents } from './carry.js';
import { effectiveRackPowerW } from './effective-power.js';
import { emptyReadings, type Readings } from './readings.js';
import { buildSnapshot, composePower, emptySnapshot, type Snapshot } from './snapshot.js';
import { testTopology } from '../test/prometheus/fixtures.js';

const policy = { maxAgeMs: 60_000, forgetAfterMs: 600_000 };
const rackOf = (n: string) => ({ n1: 'r1', n2: 'r1', n3: 'r2' })[n];
const p = (value: number, timeMs = 1000) => ({ value, timeMs });

function readings(fill: (r: Readings) => void): Readings {
  const r = emptyReadings();
  fill(r);
  return r;
}

void t.test('node power = platform when a platform sensor exists, else package + dram + GPU (DCGM before Kepler)', async (t) => {
  const cases: { name: string; fill: (r: Readings) => void; value: number; source: string }[] = [
    { name: 'platform wins', fill: (r) => (r.node.platform.set('n1', p(900)), r.node.package.set('n1', p(300)), r.node.dcgmGpu.set('n1', p(500))), value: 900, source: 'platform' },
    { name: 'components with DCGM', fill: (r) => (r.node.package.set('n1', p(200)), r.node.dram.set('n1', p(20)), r.node.keplerGpu.set('n1', p(280)), r.node.dcgmGpu.set('n1', p(300))), value: 520, source: 'package+dram+gpu:dcgm' },
    { name: 'components with Kepler GPU', fill: (r) => (r.node.package.set('n1', p(200)), r.node.keplerGpu.set('n1', p(280))), value: 480, source: 'package+gpu:kepler' },
    { name: 'no GPU', fill: (r) => r.node.package.set('n1', p(150)), value: 150, source: 'package' },
  ];
  for (const c of cases) {
    const { node } = composePower(readings(c.fill));
    t.same(node.get('n1'), { value: c.value, timeMs: 1000, source: c.source }, c.name);
  }
  const gpuOnly = composePower(readings((r) => r.node.dcgmGpu.set('n9', p(400))));
  t.same(gpuOnly.gpuOnlyNodes, ['n9'], 'a node with GPU power only is flagged');
  const oldest = composePower(readings((r) => (r.node.package.set('n1', p(100, 5000)), r.node.dcgmGpu.set('n1', p(100, 2000)))));
  t.equal(oldest.node.get('n1')?.timeMs, 2000, 'a node is as old as its oldest component');
});

void t.test('snapshot: racks summed from nodes, problems listed, frozen', async (t) => {
  const r = readings((r) => {
    r.node.package.set('n1', p(100));
    r.node.package.set('n2', p(200));
    r.node.package.set('n3', p(300, 900));
    r.node.package.set('stray', p(50));
    r.pod.cpu.set('ns/a', p(10));
    r.pod.dcgmGpu.set('ns/a', p(300));
    r.inletByRack.set('r2', p(25));
    r.inletByNode.set('n1', p(23));
    r.inletByNode.set('n2', p(24));
    r.inletByNode.set('ghost', p(40));
  });
  const snap = buildSnapshot({ readings: r, previous: undefined, nowMs: 1000, rackOfNode: rackOf, policy });
  t.same(snap.rackPowerW.r1, { value: 300, sampleTimeMs: 1000, stale: false, source: 'sum of 2 node(s)' });
  t.same(snap.rackPowerW.r2, { value: 300, sampleTimeMs: 900, stale: false, source: 'sum of 1 node(s)' });
  t.same(snap.podPowerW['ns/a'], { value: 310, sampleTimeMs: 1000, stale: false, source: 'cpu+gpu:dcgm' });
  t.same(Object.fromEntries(Object.entries(snap.inletC).map(([k, v]) => [k, v.value])), { r1: 24, r2: 25 });
  t.match(snap.problems.join('\n'), /1 node\(s\) with power but no rack: stray/);
  t.match(snap.problems.join('\n'), /inlet sensors on 1 node\(s\) not in any rack: ghost/);
  t.ok(Object.isFrozen(snap.rackPowerW.r1));
});

void t.test('carry-forward: a vanished series keeps its value and sample time, goes stale, is then dropped', async (t) => {
  const first = buildSnapshot({ readings: readings((r) => (r.node.package.set('n1', p(100, 0)), r.node.package.set('n3', p(300, 0)))), previous: undefined, nowMs: 0, rackOfNode: rackOf, policy });
  const fresh = readings((r) => r.node.package.set('n1', p(110, 30_000)));
  const second = buildSnapshot({ readings: fresh, previous: first, nowMs: 30_000, rackOfNode: rackOf, policy });
  t.same(second.nodePowerW.n3, { value: 300, sampleTimeMs: 0, stale: false, source: 'package' }, 'carried, not yet stale');
  t.match(second.problems, [/node power: 1 series missing from this refresh, last values kept: n3/]);
  const third = buildSnapshot({ readings: readings((r) => r.node.package.set('n1', p(120, 70_000))), previous: second, nowMs: 70_000, rackOfNode: rackOf, policy });
  t.equal(third.nodePowerW.n3?.stale, true, 'stale past maxAgeMs');
  t.equal(third.rackPowerW.r2?.stale, true, 'and so is its rack');
  t.match(third.problems.join('\n'), /1 rack\(s\) with stale power: r2/);
  const late = buildSnapshot({ readings: emptyReadings(), previous: third, nowMs: 700_000, rackOfNode: rackOf, policy });
  t.notOk('n3' in late.nodePowerW, 'dropped after forgetAfterMs');
  t.match(late.problems.join('\n'), /node power: 2 series dropped after 600000 ms/);
});

void t.test('component carry-forward: a missing GPU part does not make a node look fresh and small', async (t) => {
  const before = readings((r) => (r.node.package.set('n1', p(200, 0)), r.node.dcgmGpu.set('n1', p(600, 0)), r.pod.dcgmGpu.set('ns/a', p(600, 0))));
  const now = readings((r) => r.node.package.set('n1', p(210, 10_000)));
  const merged = carryComponents(now, before, 10_000, policy);
  const { node, pod } = composePower(merged);
  t.same(node.get('n1'), { value: 810, timeMs: 0, source: 'package+gpu:dcgm' }, 'old GPU value with its old time');
  t.equal(pod.get('ns/a')?.value, 600);
  t.match(merged.problems, [/dcgm gpu: 1 series missing/, /pod dcgm gpu: 1 series missing/]);
  const rejected = readings((r) => (r.node.dcgmGpu.set('n2', p(5, 10_000)), r.rejectedNodes.add('n1'), r.rejectedNodes.add('n2')));
  carryComponents(rejected, before, 10_000, policy);
  t.same([...rejected.rejectedNodes], ['n2'], 'rejected n1 composes again from carried parts; n2 had none to carry');
  t.notOk(composePower(rejected).node.has('n2'), 'so n2 is left out rather than reported partially');
  const expired = readings(() => undefined);
  carryComponents(expired, before, 700_000, policy);
  t.equal(expired.node.dcgmGpu.size, 0, 'nothing carried past forgetAfterMs');
  t.equal(carryComponents(now, undefined, 0, policy), now);
});

const topology = testTopology([
  { id: 'r1', nodes: ['n1', 'n2'], nameplateW: 12_000, powerBudgetW: 16_000 },
  { id: 'r2', nodes: [], nameplateW: 9_000, powerBudgetW: 10_000 },
  { id: 'r3', nodes: ['n4'], nameplateW: 8_000, powerBudgetW: 9_000 },
]);
const sampled = (value: number, sampleTimeMs: number, stale = false) => ({ value, sampleTimeMs, stale, source: 'test' });
const snapshot = (over: Partial<Snapshot>): Snapshot => ({ ...emptySnapshot(100_000), ...over });

void t.test('effective rack power: fresh used as is; stale, missing or partial racks replaced conservatively', async (t) => {
  const snap = snapshot({
    rackPowerW: { r1: sampled(7000, 99_000), r2: sampled(9500, 10_000), r3: sampled(100, 99_000) },
    nodePowerW: { n1: sampled(3500, 99_000), n2: sampled(3500, 99_000) },
  });
  const eff = effectiveRackPowerW(snap, topology, 100_000, { maxAgeMs: 60_000 });
  t.same(eff.rackPowerW, { r1: 7000, r2: 9500, r3: 8000 });
  t.same([...eff.replaced].sort(), ['r2', 'r3']);
  t.match(eff.reasons.r2, /^stale: oldest node sample is 90 s old \(max 60 s\)$/);
  t.equal(eff.reasons.r3, 'partial: no power for listed node(s) n4');
  t.equal(eff.rackPowerW.r2, 9500, 'a stale reading above nameplate is kept (never below what was measured)');
  const budget = effectiveRackPowerW(snap, topology, 100_000, { maxAgeMs: 60_000, fallback: 'budget' });
  t.equal(budget.rackPowerW.r3, 9000, 'budget fallback');
  const marked = effectiveRackPowerW(snapshot({ rackPowerW: { r2: sampled(1, 100_000, true) } }), topology, 100_000, { maxAgeMs: 60_000 });
  t.match(marked.reasons.r2, /^stale/, 'already marked stale by the collector');
  t.equal(marked.reasons.r1, 'no telemetry for any of its nodes');
  const none = effectiveRackPowerW(undefined, topology, 0, { maxAgeMs: 1 });
  t.same(none.rackPowerW, { r1: 12_000, r2: 9_000, r3: 8_000 });
  t.equal(none.reasons.r1, 'no telemetry snapshot yet');
});
