// Unit: workload ownership from pod names, per-replica power profiles (p90 of siblings), the
// offline power-file source, and range history composed step by step.
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { ManualClock } from '../common/index.js';
import { testTopology } from '../test/prometheus/fixtures.js';
import { telemetryConfig } from './config.js';
import type { RangeApi } from './history.js';
import { rackPowerHistory } from './history.js';
import { WorkloadPowerProfiles, workloadOfPod } from './profiles.js';
import type { RangeSeries } from './prometheus-api.js';
import { StaticSnapshotSource, loadStaticSnapshotSource } from './static-source.js';
import type { Snapshot } from './snapshot.js';

void t.test('owner from pod name', async (t) => {
  const cases: [string, string][] = [
    ['vllm-llama-7d4b9c8f6-x2k9p', 'vllm-llama'], // Deployment → ReplicaSet → pod
    ['web-5f6d7-abcde', 'web-5f6d7-abcde'], // vowels cannot be a generated suffix
    ['triton-0', 'triton'], // StatefulSet ordinal
    ['triton-12', 'triton'],
    ['dcgm-exporter-xk2lp', 'dcgm-exporter'], // DaemonSet / Job suffix
    ['standalone', 'standalone'],
  ];
  for (const [pod, owner] of cases) t.equal(workloadOfPod(pod), owner, pod);
});

void t.test('profiles: a new replica is expected to draw what its siblings draw (p90, windowed)', async (t) => {
  const profiles = new WorkloadPowerProfiles({ windowMs: 60_000 });
  for (let i = 0; i < 10; i++) {
    profiles.observe('serving', 'llm-7d4b9c8f6-x2k9p', 600 + i * 10, i * 1000); // 600..690
    profiles.observe('serving', 'llm-7d4b9c8f6-q8z2w', 650, i * 1000);
  }
  profiles.observe('serving', 'llm-7d4b9c8f6-q8z2w', 650, 9000); // same sample again: counted once
  profiles.observe('serving', 'llm-7d4b9c8f6-q8z2w', Number.NaN, 9500); // garbage: ignored
  const p = profiles.expectedPodPowerW('serving', 'llm-7d4b9c8f6-zzzzz');
  t.same(p, { workload: 'serving/llm', powerW: 670, samples: 20, pods: 2 }, 'p90 (nearest rank 18 of 20)');
  t.equal(profiles.expectedPodPowerW('serving', 'other-0'), undefined, 'unseen workload: no profile (caller falls back)');
  profiles.prune(65_000);
  t.equal(profiles.expectedPodPowerW('serving', 'llm-7d4b9c8f6-zzzzz')?.samples, 10, 'samples older than the window are dropped');
  profiles.prune(200_000);
  t.same(profiles.profiles(), []);

  const owned = new WorkloadPowerProfiles({ ownerOf: (_ns, pod) => (pod.startsWith('a') ? 'group-a' : undefined), maxSamplesPerWorkload: 3, quantile: 0.5 });
  for (const [i, w] of [100, 200, 300, 400].entries()) owned.observe('ns', `a${i}`, w, i);
  t.same(owned.profile('ns/group-a'), { workload: 'ns/group-a', powerW: 300, samples: 3, pods: 3 }, 'owner label wins; capped; median');
});

void t.test('profiles from snapshots: only fresh pod values count', async (t) => {
  const profiles = new WorkloadPowerProfiles();
  const snap = {
    takenAtMs: 1000,
    podPowerW: {
      'ns/web-0': { value: 100, sampleTimeMs: 1000, stale: false, source: 'cpu' },
      'ns/web-1': { value: 900, sampleTimeMs: 0, stale: true, source: 'cpu' },
    },
  } as unknown as Snapshot;
  profiles.observeSnapshot(snap);
  t.same(profiles.profile('ns/web'), { workload: 'ns/web', powerW: 100, samples: 1, pods: 1 });
});

void t.test('offline mode: the power file as an always-fresh snapshot', async (t) => {
  const topology = testTopology([{ id: 'r1', nodes: [] }, { id: 'r2', nodes: [] }]);
  const dir = await mkdtemp(join(tmpdir(), 'climatik-power-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const good = join(dir, 'power.json');
  await writeFile(good, JSON.stringify({ rackPowerW: { r1: 8200, r2: 0 } }));
  const clock = new ManualClock(5000);
  const source = await loadStaticSnapshotSource(good, topology, clock);
  source.start();
  t.same(source.current().rackPowerW.r1, { value: 8200, sampleTimeMs: 5000, stale: false, source: `power file ${good}` });
  clock.advance(3_600_000);
  t.equal(source.current().rackPowerW.r1?.sampleTimeMs, 3_605_000, 'never ages');
  await source.stop();
  const bad = join(dir, 'bad.json');
  await writeFile(bad, JSON.stringify({ rackPowerW: { r1: -5, r9: 10 } }));
  await t.rejects(loadStaticSnapshotSource(bad, topology, clock), { code: 'CLIMATIK_POWER_INPUT_INVALID' });
  t.same(new StaticSnapshotSource({ r2: 1 }, clock).current().problems, []);
});

void t.test('history: range results composed per step into rack power', async (t) => {
  const cfg = telemetryConfig({ prometheusUrl: 'http://p' });
  const series = (metric: Record<string, string>, values: [number, number][]): RangeSeries => ({ metric, points: values.map(([timeMs, value]) => ({ timeMs, value })) });
  const api: RangeApi = {
    query: async () => [{ metric: { __name__: 'kepler_node_cpu_watts' }, timeMs: 0, value: 1 }],
    queryRange: async (promql) => {
      if (promql.includes('zone="package"')) return [series({ node_name: 'n1' }, [[0, 100], [15_000, 120]]), series({ node_name: 'n2' }, [[15_000, 50]])];
      if (promql === 'DCGM_FI_DEV_POWER_USAGE') return [series({ Hostname: 'n1', gpu: '0' }, [[0, 300], [15_000, Number.NaN]])];
      return [];
    },
  };
  const h = await rackPowerHistory(api, cfg, (n) => (n === 'n9' ? undefined : 'r1'), { startMs: 0, endMs: 15_000, stepMs: 15_000 });
  t.same(h.racks.r1, [
    { timeMs: 0, powerW: 400 },
    { timeMs: 15_000, powerW: 50 },
  ], 'step 2: n1 left out (its GPU sample was NaN), n2 counted');
  t.match(h.problems, [/dcgm power: rejected 1 sample/]);
});
