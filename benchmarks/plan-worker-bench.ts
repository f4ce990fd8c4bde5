// What the extender's request thread sees while the plan is re-solved: the longest event-loop
// stall (longest gap between ticks of a 1 ms timer) during one solve, with the LP on the request thread vs in the
// WorkerPlanner, and the solve's wall time both ways. Medians over several seeded runs.
//   npm run bench:plan-worker [-- --sizes 50,200 --runs 5]
import { parseCommandArgs } from '../common/index.js';
import { lpPlanner } from '../rack-model/index.js';
import type { PlanRequest } from '../rack-model/types.js';
import { WorkerPlanner } from '../extender/plan-worker.js';
import { planProblem } from './plan-problems.js';

interface Run {
  readonly stallMs: number;
  readonly solveMs: number;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
};

async function measure(solve: () => Promise<unknown>): Promise<Run> {
  // A 1 ms timer stands in for requests; the longest gap between its ticks is the longest time a
  // request would have waited. (monitorEventLoopDelay skips its first sample, which is the one
  // that matters when the stall starts at once.)
  let last = performance.now();
  let maxGapMs = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    maxGapMs = Math.max(maxGapMs, now - last);
    last = now;
  }, 1);
  await new Promise((r) => setTimeout(r, 20));
  maxGapMs = 0;
  last = performance.now();
  const started = performance.now();
  await new Promise((r) => setImmediate(r));
  await solve();
  const solveMs = performance.now() - started;
  await new Promise((r) => setTimeout(r, 20));
  clearInterval(ticker);
  return { stallMs: maxGapMs, solveMs };
}

async function main(): Promise<void> {
  const { values } = parseCommandArgs(process.argv.slice(2), { sizes: { type: 'string' }, runs: { type: 'string' } }, 'plan-worker-bench');
  const sizes = (values.sizes ?? '50,200').split(',').map(Number);
  const runs = Number(values.runs ?? '5');
  const worker = new WorkerPlanner('lp', { deadlineMs: 600_000 });
  await worker.plan(planProblem(4, 1)); // load the worker once, as the extender does at start
  process.stdout.write('racks | longest request-thread stall: LP in thread | in worker, new topology | in worker, same topology | solve in thread | solve in worker\n');
  for (const racks of sizes) {
    const inThread: Run[] = [];
    const fresh: Run[] = [];
    const same: Run[] = [];
    for (let seed = 1; seed <= runs; seed++) {
      const problem: PlanRequest = planProblem(racks, seed);
      inThread.push(await measure(async () => lpPlanner.plan(problem)));
      fresh.push(await measure(() => worker.plan(problem)));
      // The common case in the extender: power moved, the topology did not (it is not re-sent).
      same.push(await measure(() => worker.plan({ ...problem, demandW: problem.demandW * 0.9 })));
    }
    const m = (xs: Run[], k: keyof Run) => median(xs.map((x) => x[k])).toFixed(1);
    process.stdout.write(`${racks} | ${m(inThread, 'stallMs')} ms | ${m(fresh, 'stallMs')} ms | ${m(same, 'stallMs')} ms | ${m(inThread, 'solveMs')} ms | ${m(same, 'solveMs')} ms\n`);
  }
  await worker.close();
}

await main();
