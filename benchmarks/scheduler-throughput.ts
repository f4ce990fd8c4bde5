// Scheduling throughput of the real kube-scheduler on the e2e control plane (test/e2e/): PODS
// one-GPU pods on NODES nodes (50 racks), once through the Climatik extender (filter, prioritize
// and bind, nodeCacheCapable, the shipped scheduler-config/) and once with the same profile minus
// the `extenders` entry, alternating, RUNS times each in the same process and cluster. Reports
// pods/s per run, medians and the ratio, and the extender's own time per verb from its /metrics
// histogram, to say whether the extender or the scheduler dominates.
//
// Both configs raise clientConnection qps/burst (defaults 50/100): at the default the scheduler's
// own API client (binds, events, status patches) caps both runs near 50 pods/s and hides the
// difference. Budgets are far above what the pods draw, so the extender filters nothing out.
//
// Run: npm run bench:scheduler   (env RUNS=3, PODS=2000, NODES=500; needs the control plane
// binaries from scripts/build-control-plane.sh and dist/ from npm run build)
import { parseDocument } from 'yaml';
import { startClimatikStack, type RackSpec } from '../test/e2e/climatik-stack.js';
import { extenderLatency, median, schedulingRun, type RunResult } from './scheduler-run.js';

const RUNS = Number(process.env.RUNS ?? 3);
const PODS = Number(process.env.PODS ?? 2000);
const NODES = Number(process.env.NODES ?? 500);
const NODES_PER_RACK = 10;
const QPS = 5000;
const BURST = 10000;

/** The same config with client QPS raised, and with or without the extenders entry. */
function benchConfig(yaml: string, withExtender: boolean): string {
  const doc = parseDocument(yaml);
  doc.setIn(['clientConnection', 'qps'], QPS);
  doc.setIn(['clientConnection', 'burst'], BURST);
  if (!withExtender) doc.delete('extenders');
  return doc.toString();
}

async function main(): Promise<void> {
  const racks: RackSpec[] = Array.from({ length: Math.ceil(NODES / NODES_PER_RACK) }, (_, i) => ({
    id: `r${String(i + 1).padStart(3, '0')}`,
    nodes: NODES_PER_RACK,
    nodeW: 1000,
    powerBudgetW: 1_000_000,
  }));
  const started = Date.now();
  const stack = await startClimatikStack({ racks, scheduler: false, defaultScheduler: false, extenderConfig: { logLevel: 'warn' } });
  process.stdout.write(`cluster + ${NODES} nodes + extender up in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  try {
    const kc = stack.cluster.kubeConfig();
    const base = stack.schedulerConfig({ nodeCacheCapable: true });
    const configs = { extender: benchConfig(base, true), none: benchConfig(base, false) };
    const results: RunResult[] = [];
    const verbRows: string[] = [];
    for (let run = 1; run <= RUNS; run++) {
      // Alternate the order so neither variant always runs on a warmer apiserver and etcd.
      const order: ('extender' | 'none')[] = run % 2 === 1 ? ['none', 'extender'] : ['extender', 'none'];
      for (const variant of order) {
        const before = await extenderLatency(stack.extender.url);
        const r = await schedulingRun({
          cluster: stack.cluster,
          core: stack.core,
          kc,
          label: variant,
          namespace: `bench-${variant}-${run}`,
          pods: PODS,
          schedulerName: 'climatik-scheduler',
          schedulerYaml: configs[variant],
        });
        results.push(r);
        process.stdout.write(`run ${run} ${variant.padEnd(8)} ${r.podsPerS.toFixed(1)} pods/s (binds over ${r.bindSpanS.toFixed(1)} s)\n`);
        if (variant === 'extender') verbRows.push(...extenderShare(before, await extenderLatency(stack.extender.url), r, run));
      }
    }
    const med = (label: string): number => median(results.filter((r) => r.label === label).map((r) => r.podsPerS));
    const withExt = med('extender');
    const without = med('none');
    process.stdout.write(`\nextender time per run (from climatik_extender_request_duration_seconds):\n${verbRows.join('\n')}\n`);
    process.stdout.write(
      `\n${PODS} pods on ${NODES} nodes, ${RUNS} run(s) each, clientConnection qps ${QPS} burst ${BURST}\n` +
        `median without extender: ${without.toFixed(1)} pods/s\n` +
        `median with extender:    ${withExt.toFixed(1)} pods/s\n` +
        `ratio: ${((withExt / without) * 100).toFixed(1)}% of no-extender throughput (goal >= 70%)\n`,
    );
    process.stdout.write(`${JSON.stringify({ pods: PODS, nodes: NODES, runs: RUNS, medianPodsPerS: { extender: withExt, none: without }, ratio: withExt / without, results })}\n`);
  } finally {
    await stack.stop();
  }
}

/** Per verb: calls, mean latency, and the share of the run's bind span spent inside the extender. */
function extenderShare(
  before: Map<string, { sumS: number; count: number }>,
  after: Map<string, { sumS: number; count: number }>,
  r: RunResult,
  run: number,
): string[] {
  const rows: string[] = [];
  for (const [verb, a] of after) {
    const b = before.get(verb) ?? { sumS: 0, count: 0 };
    const calls = a.count - b.count;
    if (calls <= 0 || !/filter|prioritize|bind/.test(verb)) continue;
    const sumS = a.sumS - b.sumS;
    rows.push(
      `  run ${run} ${verb.padEnd(12)} ${String(calls).padStart(5)} calls, mean ${((sumS / calls) * 1000).toFixed(2)} ms, ` +
        `${sumS.toFixed(2)} s total = ${((sumS / r.bindSpanS) * 100).toFixed(0)}% of the ${r.bindSpanS.toFixed(1)} s bind span`,
    );
  }
  return rows;
}

await main();
