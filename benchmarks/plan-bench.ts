// Plan benchmark: solve time for 10/50/200/500 racks with dense random matrices, the LP
// (javascript-lp-solver) vs the greedy baseline vs HiGHS (WebAssembly) on the same LP, medians over
// several seeded runs, and whether the LP objectives agree. Build, then run:
//   npm run build && node dist/benchmarks/plan-bench.js [--sizes 10,50,200,500] [--lp-limit-s 60]
import { Worker } from 'node:worker_threads';
import * as highsModule from 'highs';
import { numberFlag, parseCommandArgs } from '../common/index.js';
import { riseFromVectorC } from '../rack-model/thermal.js';
import { peakLpAsCplexText, planProblem } from './plan-problems.js';

interface Sample {
  readonly ms: number;
  readonly peakRiseC: number;
}

type HighsLoader = typeof highsModule.default.default;

// highs's .d.ts is read as CommonJS (loader one `.default` deeper) while Node loads its ESM build.
function highsLoader(): HighsLoader {
  const d: unknown = highsModule.default;
  if (typeof d === 'function') return d as HighsLoader;
  return (d as { default: HighsLoader }).default;
}

const RUNS: Record<number, number> = { 10: 7, 50: 7, 200: 5, 500: 3 };

function inWorker(planner: 'lp' | 'greedy', racks: number, seed: number, limitMs: number): Promise<Sample | 'timeout'> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./plan-worker.js', import.meta.url), { workerData: { planner, racks, seed } });
    const timer = setTimeout(() => {
      void worker.terminate();
      resolve('timeout');
    }, limitMs);
    worker.once('message', (m: Sample) => {
      clearTimeout(timer);
      void worker.terminate();
      resolve(m);
    });
    worker.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? Number.NaN) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};

async function main(): Promise<void> {
  const { values } = parseCommandArgs(process.argv.slice(2), { sizes: { type: 'string' }, 'lp-limit-s': { type: 'string' } }, 'plan-bench');
  const sizes = (values.sizes ?? '10,50,200,500').split(',').map((s) => Number(s));
  const limitMs = (numberFlag(values['lp-limit-s'], 'lp-limit-s', { min: 1 }) ?? 60) * 1000;
  const highs = await highsLoader()();
  highs.solve(peakLpAsCplexText(planProblem(10, 1_000_003)).text, { output_flag: false }); // warm-up
  const rows: string[][] = [];
  for (const racks of sizes) {
    const runs = RUNS[racks] ?? 3;
    const lpMs: number[] = [];
    const greedyMs: number[] = [];
    const highsMs: number[] = [];
    const textMs: number[] = [];
    let agree = 0;
    let compared = 0;
    let lpTimedOut = false;
    let greedyGapC = 0;
    for (let seed = 1; seed <= runs; seed++) {
      const request = planProblem(racks, seed);
      const t0 = performance.now();
      const { text, peakBaseC } = peakLpAsCplexText(request);
      textMs.push(performance.now() - t0);
      const solution = highs.solve(text, { output_flag: false });
      highsMs.push(performance.now() - t0);
      if (solution.Status !== 'Optimal') throw new Error(`HiGHS: ${solution.Status} at ${racks} racks seed ${seed}`);
      const highsObjC = peakBaseC + solution.ObjectiveValue;
      // HiGHS's own allocation, pushed through our thermal model, must give the same peak.
      const x = request.topology.racks.map((r) => 1000 * (solution.Columns[`x${r.index}`]?.Primal ?? 0));
      const after = request.topology.racks.map((r, i) => (request.rackPowerW[r.id] ?? 0) + (x[i] ?? 0));
      const highsPeakC = Math.max(...riseFromVectorC(request.topology.recirculationCPerKW, after));

      const greedy = await inWorker('greedy', racks, seed, limitMs);
      if (greedy === 'timeout') throw new Error(`greedy exceeded ${limitMs} ms at ${racks} racks`);
      greedyMs.push(greedy.ms);
      greedyGapC = Math.max(greedyGapC, greedy.peakRiseC - highsPeakC);
      if (lpTimedOut) continue;
      const lp = await inWorker('lp', racks, seed, limitMs);
      if (lp === 'timeout') {
        lpTimedOut = true;
        continue;
      }
      lpMs.push(lp.ms);
      compared++;
      const tol = 1e-6 * Math.max(1, Math.abs(highsObjC));
      if (Math.abs(lp.peakRiseC - highsObjC) <= tol && Math.abs(highsPeakC - highsObjC) <= tol) agree++;
    }
    const lpCell = lpTimedOut && lpMs.length === 0 ? `> ${limitMs / 1000} s (stopped)` : `${median(lpMs).toFixed(1)}${lpTimedOut ? ' (later runs stopped)' : ''}`;
    const ratio = lpMs.length > 0 ? (median(lpMs) / median(highsMs)).toFixed(1) : `> ${(limitMs / median(highsMs)).toFixed(0)}`;
    rows.push([
      String(racks),
      `${runs}`,
      lpCell,
      median(greedyMs).toFixed(1),
      median(highsMs).toFixed(1),
      median(textMs).toFixed(1),
      ratio,
      compared === 0 ? 'n/a (LP stopped)' : `${agree}/${compared}`,
      greedyGapC.toFixed(4),
    ]);
    process.stderr.write(`done: ${racks} racks\n`);
  }
  const header = ['racks', 'runs', 'LP jsLPSolver ms', 'greedy ms', 'HiGHS ms', 'of which LP text ms', 'LP/HiGHS', 'objectives agree', 'greedy worst gap °C'];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const fmt = (cells: string[]): string => `| ${cells.map((x, c) => x.padEnd(widths[c] ?? 0)).join(' | ')} |`;
  process.stdout.write([fmt(header), fmt(widths.map((w) => '-'.repeat(w))), ...rows.map(fmt)].join('\n') + '\n');
  process.stdout.write(`medians; LP limit ${limitMs / 1000} s per solve; node ${process.version}\n`);
}

await main();
