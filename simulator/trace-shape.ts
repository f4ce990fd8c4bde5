// Shape a trace to the load a run needs: stretch time, loop it to fill a duration, and scale the
// request rate. Scaling by X keeps the token distributions and the minute-scale load shape: each
// request becomes floor(X) copies (plus one more with probability frac(X)), the extra copies spread
// over a short window around the original, like more users of the same service.
import { ClimatikError } from '../common/index.js';
import type { Prng } from './prng.js';
import type { Trace } from './trace-reader.js';

export interface ShapeOptions {
  /** Request-rate multiplier (> 0). */
  readonly loadScale: number;
  /** Time multiplier (> 0): 2 plays the trace at half the rate over twice the time. */
  readonly stretch: number;
  /** Keep arrivals before this time, s; undefined = the whole (stretched) trace. */
  readonly durationS?: number;
  /** Repeat the trace back to back until `durationS` is filled. */
  readonly loop: boolean;
  /** Width of the window extra copies are spread over, s. */
  readonly copyWindowS: number;
}

export function shapeTrace(trace: Trace, options: ShapeOptions, prng: Prng): Trace {
  for (const [name, v] of [['loadScale', options.loadScale], ['stretch', options.stretch]] as const) {
    if (!(Number.isFinite(v) && v > 0)) {
      throw new ClimatikError('CLIMATIK_USAGE', `${name} must be a number > 0`, { issues: [{ path: name, message: 'must be > 0', value: v }] });
    }
  }
  const n = trace.arrivalS.length;
  const meanGapS = n > 1 ? trace.durationS / (n - 1) : 1;
  const periodS = (trace.durationS + meanGapS) * options.stretch;
  const endS = options.durationS ?? trace.durationS * options.stretch + 1e-9;
  const rounds = options.loop ? Math.max(1, Math.ceil(endS / periodS)) : 1;
  const whole = Math.floor(options.loadScale);
  const fraction = options.loadScale - whole;

  const times: number[] = [];
  const src: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    for (let i = 0; i < n; i += 1) {
      const base = (trace.arrivalS[i] as number) * options.stretch + round * periodS;
      const copies = whole + (prng.next() < fraction ? 1 : 0);
      for (let c = 0; c < copies; c += 1) {
        const t = c === 0 ? base : Math.max(0, base + (prng.next() - 0.5) * options.copyWindowS);
        if (t >= endS) continue;
        times.push(t);
        src.push(i);
      }
    }
  }
  const order = Uint32Array.from(times.keys()).sort((a, b) => (times[a] as number) - (times[b] as number) || a - b);
  const arrivalS = new Float64Array(order.length);
  const inputTokens = new Uint32Array(order.length);
  const outputTokens = new Uint32Array(order.length);
  order.forEach((from, to) => {
    const s = src[from] as number;
    arrivalS[to] = times[from] as number;
    inputTokens[to] = trace.inputTokens[s] as number;
    outputTokens[to] = trace.outputTokens[s] as number;
  });
  const durationS = options.durationS ?? (order.length > 0 ? (arrivalS[order.length - 1] as number) : 0);
  return { source: trace.source, format: trace.format, arrivalS, inputTokens, outputTokens, durationS };
}
