// Backtest of the rack-power forecasts on the Azure LLM inference trace (see capper/README.md).
// The trace has requests, not watts, so a simple, stated power model turns it into rack power:
// each request's tokens are spread over its decode time, token rate → GPU utilisation → watts.
// Run: node --import @tapjs/typescript/import capper/forecast-backtest.ts data/traces/azure-llm-2023-conv.csv
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { fitHolt, holtForecastWithError } from './decisions/forecast.js';

export interface PowerModel {
  readonly binMs: number;
  readonly gpus: number;
  readonly idleW: number;
  readonly dynamicW: number;
  /** Work units per second that saturate the rack's GPUs. */
  readonly capacityPerS: number;
  readonly decodeTokensPerS: number;
  /** Prefill tokens are far cheaper than decode tokens per token. */
  readonly prefillWeight: number;
}

export const DEFAULT_MODEL: PowerModel = {
  binMs: 10_000, gpus: 32, idleW: 100, dynamicW: 300, capacityPerS: 4000, decodeTokensPerS: 30, prefillWeight: 0.05,
};

/** Parses `TIMESTAMP,ContextTokens,GeneratedTokens` rows into rack power per bin, W. */
export function tracePowerSeries(csv: string, model: PowerModel = DEFAULT_MODEL): number[] {
  const rows = csv.trim().split('\n').slice(1).map((line) => {
    const [ts, ctx, gen] = line.split(',');
    return { t: Date.parse(`${(ts ?? '').replace(' ', 'T').slice(0, 23)}Z`), ctx: Number(ctx), gen: Number(gen) };
  }).filter((r) => Number.isFinite(r.t));
  const start = Math.min(...rows.map((r) => r.t));
  const end = Math.max(...rows.map((r) => r.t + (r.gen / model.decodeTokensPerS) * 1000));
  const work = new Array<number>(Math.ceil((end - start) / model.binMs) + 1).fill(0);
  for (const r of rows) {
    const durationMs = Math.max(model.binMs / 10, (r.gen / model.decodeTokensPerS) * 1000);
    const units = r.gen + r.ctx * model.prefillWeight;
    // Spread the request's work uniformly over its duration, bin by bin.
    for (let from = r.t; from < r.t + durationMs; ) {
      const bin = Math.floor((from - start) / model.binMs);
      const binEnd = start + (bin + 1) * model.binMs;
      const slice = Math.min(binEnd, r.t + durationMs) - from;
      work[bin] = (work[bin] ?? 0) + (units * slice) / durationMs;
      from += slice;
    }
  }
  return work.map((w) => {
    const util = Math.min(1, w / (model.binMs / 1000) / model.capacityPerS);
    return model.gpus * (model.idleW + model.dynamicW * util);
  });
}

export interface BacktestResult {
  readonly points: number;
  readonly horizonSteps: number;
  /** Mean absolute error of the next value. */
  readonly oneStepMaeW: { naive: number; holt: number };
  /** Mean absolute error of the peak over the next horizonSteps (what the capper compares to the cap). */
  readonly peakMaeW: { naive: number; holt: number };
  /** Upcoming breaches of `capW` (last value under the cap, a later one over it) flagged in advance. */
  readonly breachesCaught: { holt: number; holtBand: number; naiveBand: number; total: number };
  /** Times a forecast said "over the cap within the horizon" and nothing crossed it. */
  readonly falseAlarms: { holt: number; holtBand: number; naiveBand: number; quietPoints: number };
}

export function backtest(series: readonly number[], horizonSteps: number, warmup: number, capW: number, bandSigmas = 1): BacktestResult {
  let n = 0;
  const e1 = { naive: 0, holt: 0 };
  const ep = { naive: 0, holt: 0 };
  const caught = { holt: 0, holtBand: 0, naiveBand: 0, total: 0 };
  const alarms = { holt: 0, holtBand: 0, naiveBand: 0, quietPoints: 0 };
  for (let t = warmup; t + horizonSteps < series.length; t++) {
    const past = series.slice(Math.max(0, t - 360), t + 1); // one hour of 10 s bins at most
    const last = past[past.length - 1] ?? 0;
    const future = series.slice(t + 1, t + 1 + horizonSteps);
    const { path, rmseW } = holtForecastWithError(past, horizonSteps, fitHolt(past));
    const pointPeak = Math.max(...path);
    const bandPeak = pointPeak + bandSigmas * rmseW;
    // Baseline with the same kind of band: last value plus the noise of the naive one-step error.
    const naiveRmse = Math.sqrt(past.slice(1).reduce((sum, v, i) => sum + (v - (past[i] ?? v)) ** 2, 0) / Math.max(1, past.length - 1));
    const naiveBandPeak = last + bandSigmas * naiveRmse;
    const actualPeak = Math.max(...future);
    e1.naive += Math.abs((future[0] ?? 0) - last);
    e1.holt += Math.abs((future[0] ?? 0) - (path[0] ?? 0));
    ep.naive += Math.abs(actualPeak - last);
    ep.holt += Math.abs(actualPeak - pointPeak);
    if (last <= capW && actualPeak > capW) {
      caught.total++;
      if (pointPeak > capW) caught.holt++;
      if (bandPeak > capW) caught.holtBand++;
      if (naiveBandPeak > capW) caught.naiveBand++;
    } else if (actualPeak <= capW) {
      alarms.quietPoints++;
      if (pointPeak > capW) alarms.holt++;
      if (bandPeak > capW) alarms.holtBand++;
      if (naiveBandPeak > capW) alarms.naiveBand++;
    }
    n++;
  }
  const avg = (x: number) => Math.round((x / Math.max(1, n)) * 10) / 10;
  return {
    points: n,
    horizonSteps,
    oneStepMaeW: { naive: avg(e1.naive), holt: avg(e1.holt) },
    peakMaeW: { naive: avg(ep.naive), holt: avg(ep.holt) },
    breachesCaught: caught,
    falseAlarms: alarms,
  };
}

async function main(file: string): Promise<void> {
  const series = tracePowerSeries(await readFile(file, 'utf8'));
  const sorted = [...series].sort((a, b) => a - b);
  const p90 = sorted[Math.floor(sorted.length * 0.95)] ?? 0;
  const summary = {
    bins: series.length,
    minW: Math.round(sorted[0] ?? 0),
    medianW: Math.round(sorted[Math.floor(sorted.length / 2)] ?? 0),
    maxW: Math.round(sorted[sorted.length - 1] ?? 0),
    capW: Math.round(p90),
  };
  const results = [1, 6, 30].flatMap((h) => [0.5, 1, 1.645].map((z) => ({ bandSigmas: z, ...backtest(series, h, 30, p90, z) })));
  process.stdout.write(`${JSON.stringify({ summary, results }, null, 2)}\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main(process.argv[2] ?? 'data/traces/azure-llm-2023-conv.csv');
}
