// Rack power forecasts over a horizon, so the capper acts before a breach rather than after.
// Holt's damped linear trend (double exponential smoothing) with α, β, φ fitted by grid search on
// one-step error; additive Holt-Winters when a season is given and at least two seasons of history
// exist. See capper/README.md for the backtest on the Azure LLM trace that justifies the choice.
import type { ForecastMethod } from '../policy-schema.js';
import type { PowerSample } from './types.js';

export interface HoltParams {
  readonly alpha: number;
  readonly beta: number;
  /** Trend damping; 1 = plain Holt. Damping keeps long horizons from running away on a short ramp. */
  readonly phi: number;
}

const ALPHAS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];
const BETAS = [0, 0.02, 0.05, 0.1, 0.2, 0.3];
const PHIS = [0.8, 0.9, 0.95, 1];

/** Runs Holt's recursion; returns final level/trend and the one-step squared error sum. */
export function holtRun(values: readonly number[], p: HoltParams): { level: number; trend: number; sse: number; n: number } {
  let level = values[0] ?? 0;
  let trend = values.length > 1 ? (values[1] ?? 0) - level : 0;
  let sse = 0;
  for (let t = 1; t < values.length; t++) {
    const y = values[t] ?? 0;
    const predicted = level + p.phi * trend;
    sse += (y - predicted) ** 2;
    const previous = level;
    level = p.alpha * y + (1 - p.alpha) * predicted;
    trend = p.beta * (level - previous) + (1 - p.beta) * p.phi * trend;
  }
  return { level, trend, sse, n: Math.max(0, values.length - 1) };
}

/** Default width of the upper band, in one-step RMS errors (see the backtest in the README). */
export const DEFAULT_UPPER_BAND_SIGMAS = 1;

export function fitHolt(values: readonly number[]): HoltParams {
  let best: HoltParams = { alpha: 1, beta: 0, phi: 1 };
  let bestSse = Number.POSITIVE_INFINITY;
  for (const alpha of ALPHAS) {
    for (const beta of BETAS) {
      for (const phi of PHIS) {
        const { sse } = holtRun(values, { alpha, beta, phi });
        if (sse < bestSse - 1e-9) {
          bestSse = sse;
          best = { alpha, beta, phi };
        }
      }
    }
  }
  return best;
}

/** Point forecasts for steps 1..horizonSteps. */
export function holtForecast(values: readonly number[], horizonSteps: number, params?: HoltParams): number[] {
  return holtForecastWithError(values, horizonSteps, params).path;
}

/** Point forecasts plus the root-mean-square one-step error of the fit (the noise level). */
export function holtForecastWithError(values: readonly number[], horizonSteps: number, params?: HoltParams): { path: number[]; rmseW: number } {
  const p = params ?? fitHolt(values);
  const { level, trend, sse, n } = holtRun(values, p);
  const path: number[] = [];
  let damp = 0;
  for (let h = 1; h <= horizonSteps; h++) {
    damp += p.phi ** h;
    path.push(level + damp * trend);
  }
  return { path, rmseW: n > 0 ? Math.sqrt(sse / n) : 0 };
}

/** Additive Holt-Winters with fixed smoothing (α 0.3, β 0.05, γ 0.2); needs ≥ 2 seasons of values. */
export function holtWintersForecast(values: readonly number[], seasonSteps: number, horizonSteps: number): number[] | undefined {
  const m = Math.round(seasonSteps);
  if (m < 2 || values.length < 2 * m) return undefined;
  const [alpha, beta, gamma] = [0.3, 0.05, 0.2];
  const mean = (from: number) => values.slice(from, from + m).reduce((a, b) => a + b, 0) / m;
  let level = mean(0);
  let trend = (mean(m) - level) / m;
  const season = values.slice(0, m).map((v) => v - level);
  for (let t = m; t < values.length; t++) {
    const y = values[t] ?? 0;
    const s = season[t % m] ?? 0;
    const previous = level;
    level = alpha * (y - s) + (1 - alpha) * (level + trend);
    trend = beta * (level - previous) + (1 - beta) * trend;
    season[t % m] = gamma * (y - level) + (1 - gamma) * s;
  }
  const out: number[] = [];
  for (let h = 1; h <= horizonSteps; h++) out.push(level + h * trend + (season[(values.length + h - 1) % m] ?? 0));
  return out;
}

export interface RackForecast {
  /** Highest point forecast within the horizon plus `upperBandSigmas` one-step RMS errors, W. */
  readonly peakW: number;
  /** Highest point forecast within the horizon, W. */
  readonly pointPeakW: number;
  readonly method: ForecastMethod;
}

/**
 * The highest forecast power within the horizon, or undefined when the method is off or history is
 * too short (fewer than 3 samples) to say anything. Samples are assumed evenly spaced (query_range).
 */
export function forecastPeakW(
  samples: readonly PowerSample[],
  method: ForecastMethod,
  horizonMs: number,
  seasonLengthMs?: number,
  upperBandSigmas = DEFAULT_UPPER_BAND_SIGMAS,
): RackForecast | undefined {
  if (method === 'off' || samples.length < 3) return undefined;
  const values = samples.map((s) => s.powerW);
  const last = values[values.length - 1] ?? 0;
  if (method === 'last-value') return { peakW: last, pointPeakW: last, method };
  const stepMs = medianStepMs(samples);
  const horizonSteps = Math.max(1, Math.ceil(horizonMs / stepMs));
  if (method === 'holt-winters' && seasonLengthMs !== undefined) {
    const hw = holtWintersForecast(values, seasonLengthMs / stepMs, horizonSteps);
    if (hw !== undefined) return { peakW: Math.max(...hw), pointPeakW: Math.max(...hw), method };
  }
  const { path, rmseW } = holtForecastWithError(values, horizonSteps);
  const pointPeakW = Math.max(...path);
  // Rack power is noisy (±0.5 kW per 10 s on the Azure trace): a point forecast alone almost never
  // foresees a breach, so the cap is compared with an upper band (see the backtest in the README).
  return { peakW: pointPeakW + upperBandSigmas * rmseW, pointPeakW, method: 'holt' };
}

function medianStepMs(samples: readonly PowerSample[]): number {
  const steps: number[] = [];
  for (let i = 1; i < samples.length; i++) steps.push((samples[i]?.timeMs ?? 0) - (samples[i - 1]?.timeMs ?? 0));
  steps.sort((a, b) => a - b);
  const median = steps[Math.floor(steps.length / 2)] ?? 1;
  return median > 0 ? median : 1;
}
