// Telemetry refresh cost at 1,000 and 5,000 nodes against a REAL Prometheus (Debian's, started on
// loopback) scraping the test exporter. Per node: Kepler ≥ 0.10 package + dram gauges, 4 DCGM GPUs
// (2 attributed to pods) and 4 pods' kepler_pod_cpu_watts: 10 series per node, 40 nodes per rack.
// Measured separately, medians over RUNS refreshes:
//   query — readAll(): every PromQL round trip + JSON parse + TypeBox check + adapters;
//   build — carryComponents() + buildSnapshot(): composition, carry-forward, racks, deep freeze.
// Run: npm run bench:telemetry   (env RUNS, SIZES="1000,5000")
import { performance } from 'node:perf_hooks';
import { startPrometheus, waitForQuery } from '../test/prometheus/prometheus-server.js';
import { startTestExporter } from '../test/prometheus/test-exporter.js';
import { carryComponents } from '../telemetry/carry.js';
import { PrometheusApi, buildSnapshot, readAll, telemetryConfig, type Snapshot } from '../telemetry/index.js';
import type { Readings } from '../telemetry/readings.js';

const RUNS = Number(process.env.RUNS ?? 9);
const SIZES = (process.env.SIZES ?? '1000,5000').split(',').map(Number);
const NODES_PER_RACK = 40;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

interface SizeResult {
  nodes: number;
  series: number;
  runs: number;
  degradedRuns: number;
  queryMs: number;
  buildMs: number;
  queryMinMs: number;
  buildMinMs: number;
}

async function benchSize(nodes: number): Promise<SizeResult> {
  const kepler = await startTestExporter();
  const dcgm = await startTestExporter();
  for (let n = 0; n < nodes; n++) {
    const node = `node-${n}`;
    kepler.setGauge('kepler_node_cpu_watts', { node_name: node, zone: 'package', path: '/p' }, 150 + (n % 50));
    kepler.setGauge('kepler_node_cpu_watts', { node_name: node, zone: 'dram', path: '/d' }, 20);
    for (let g = 0; g < 4; g++) {
      const pod: Record<string, string> = g < 2 ? { pod: `llm-${n}-${g}`, namespace: 'serving' } : {};
      dcgm.setGauge('DCGM_FI_DEV_POWER_USAGE', { gpu: String(g), UUID: `GPU-${n}-${g}`, Hostname: node, ...pod }, 300 + g);
      kepler.setGauge('kepler_pod_cpu_watts', { node_name: node, pod_name: `llm-${n}-${g}`, pod_namespace: 'serving', pod_id: `${n}-${g}`, state: 'running', zone: 'package' }, 10);
    }
  }
  const prom = await startPrometheus({
    scrapeIntervalMs: 15_000, // Prometheus' usual production interval; also gives the exporter time to render
    jobs: [
      { name: 'kepler', targets: [kepler.target], honorLabels: true },
      { name: 'dcgm', targets: [dcgm.target], honorLabels: true },
    ],
  });
  try {
    await waitForQuery(prom.url, 'count(DCGM_FI_DEV_POWER_USAGE) + count(kepler_node_cpu_watts)', (r) => Number(r[0]?.value[1]) === nodes * 6, 120_000);
    await waitForQuery(prom.url, 'count(kepler_pod_cpu_watts)', (r) => Number(r[0]?.value[1]) === nodes * 4, 120_000);
    const cfg = telemetryConfig({ prometheusUrl: prom.url, requestTimeoutMs: 60_000 });
    const api = new PrometheusApi({ baseUrl: prom.url, timeoutMs: cfg.requestTimeoutMs });
    const rackOfNode = (name: string) => `rack-${Math.floor(Number(name.slice(5)) / NODES_PER_RACK)}`;
    const policy = { maxAgeMs: cfg.maxAgeMs, forgetAfterMs: cfg.forgetAfterMs };
    const queryMs: number[] = [];
    const buildMs: number[] = [];
    let previous: Snapshot | undefined;
    let lastReadings: Readings | undefined;
    let degradedRuns = 0;
    for (let run = 0; run < RUNS + 1; run++) {
      const nowMs = Date.now();
      const t0 = performance.now();
      const fresh = await readAll(api, cfg, nowMs);
      const t1 = performance.now();
      const readings = carryComponents(fresh, lastReadings, nowMs, policy);
      const snap = buildSnapshot({ readings, previous, nowMs, rackOfNode, policy });
      const t2 = performance.now();
      if (Object.keys(snap.nodePowerW).length !== nodes) throw new Error(`unexpected snapshot: ${Object.keys(snap.nodePowerW).length} nodes`);
      // A scrape that timed out under load shows up as carried series: counted, reported with the result.
      if (snap.problems.length > 0) degradedRuns++;
      previous = snap;
      lastReadings = readings;
      if (run === 0) continue; // warm-up (JIT, Prometheus caches)
      queryMs.push(t1 - t0);
      buildMs.push(t2 - t1);
    }
    return { nodes, series: nodes * 10, runs: RUNS, degradedRuns, queryMs: median(queryMs), buildMs: median(buildMs), queryMinMs: Math.min(...queryMs), buildMinMs: Math.min(...buildMs) };
  } finally {
    await prom.stop();
    await kepler.stop();
    await dcgm.stop();
  }
}

const results = [];
for (const n of SIZES) {
  const r = await benchSize(n);
  results.push(r);
  process.stdout.write(`${JSON.stringify(r)}\n`);
}
process.stdout.write(`\n| nodes | series | query median (min) ms | snapshot build median (min) ms | runs (degraded) |\n|---|---|---|---|---|\n`);
for (const r of results) {
  const cells = [r.nodes, r.series, `${r.queryMs.toFixed(1)} (${r.queryMinMs.toFixed(1)})`, `${r.buildMs.toFixed(1)} (${r.buildMinMs.toFixed(1)})`, `${r.runs} (${r.degradedRuns})`];
  process.stdout.write(`| ${cells.join(' | ')} |\n`);
}
const [small, large] = results;
if (small !== undefined && large !== undefined) {
  process.stdout.write(`\nratio ${large.nodes / small.nodes}x nodes: query ${(large.queryMs / small.queryMs).toFixed(2)}x, build ${(large.buildMs / small.buildMs).toFixed(2)}x\n`);
}
