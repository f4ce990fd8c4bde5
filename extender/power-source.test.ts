import t from 'tap';
import { ManualClock } from '../common/index.js';
import { StaticSnapshotSource } from '../telemetry/index.js';
import { effectivePower } from './power-source.js';
import { T0_MS, fourRackTopology, liveLikeSource } from './testing/fixtures.js';

const topology = fourRackTopology();
const clock = new ManualClock(T0_MS);

void t.test('power file (rack-level source): every listed rack uses its own sample', async (t) => {
  const eff = effectivePower(new StaticSnapshotSource({ r1: 9500, r2: 5000, r3: 6000, r4: 4000 }, clock).current(), topology, T0_MS, 60_000);
  t.same(eff.rackPowerW, { r1: 9500, r2: 5000, r3: 6000, r4: 4000 });
  t.equal(eff.staleRacks.size, 0);
  t.same(eff.sampleTimeMs, { r1: T0_MS, r2: T0_MS, r3: T0_MS, r4: T0_MS });
});

void t.test('live source missing a listed node: that rack is a partial sum, so it falls back to nameplate', async (t) => {
  const snap = liveLikeSource({ r1: 4000, r2: 5000, r3: 6000, r4: 4000 }, topology, clock, ['gpu-1b']).current();
  const eff = effectivePower(snap, topology, T0_MS, 60_000);
  t.equal(eff.rackPowerW.r1, 12_000);
  t.ok(eff.staleRacks.has('r1'));
  t.match(eff.staleReasons.r1, /partial: no power for listed node\(s\) gpu-1b/);
  t.notOk('r1' in eff.sampleTimeMs);
  t.equal(eff.rackPowerW.r2, 5000);
});

void t.test('stale DCGM: samples older than the limit, and no snapshot at all, count at nameplate', async (t) => {
  const snap = liveLikeSource({ r1: 4000, r2: 5000, r3: 6000, r4: 4000 }, topology, clock).current();
  const later = effectivePower(snap, topology, T0_MS + 120_000, 60_000);
  t.equal(later.staleRacks.size, 4);
  t.match(later.staleReasons.r2, /stale/);
  const none = effectivePower(undefined, topology, T0_MS, 60_000);
  t.same(none.rackPowerW, { r1: 12_000, r2: 12_000, r3: 12_000, r4: 12_000 });
});
