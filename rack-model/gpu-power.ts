// Per-GPU power by inference phase, and how much a power limit slows each phase. Prefill is
// compute-bound and runs at the power limit; decode is memory-bound and draws well below it, so a
// cap that bites prefill hardly touches decode. Sources and calibration: simulator/README.md.
// Lives in rack-model (pure maths) so both the simulator and the capper's counterfactual report use
// the same model; simulator/gpu-power.ts re-exports it.

export interface GpuPowerSpec {
  /** Allocated or not, a GPU with nothing to do (W). H100 SXM: ~75 W. */
  readonly idleW: number;
  /** Drawn while running prefill (prompt) batches at the default limit (W). H100: ~700 W (TDP). */
  readonly prefillW: number;
  /** Drawn while running decode (token) iterations (W). H100: ~380 W. */
  readonly decodeW: number;
  /** Default (= highest) power limit (W). */
  readonly maxLimitW: number;
  /** Lowest limit the driver accepts (W). H100 SXM: 200 W. */
  readonly minLimitW: number;
  /**
   * Slowdown of a phase whose natural draw P exceeds the limit L is (P/L)^exponent. 0.74 makes a 70 %
   * cap (490 W) slow prefill by 1.30x, the published figure.
   */
  readonly capSlowdownExponent: number;
}

export function clampLimitW(spec: GpuPowerSpec, limitW: number): number {
  return Math.min(spec.maxLimitW, Math.max(spec.minLimitW, limitW));
}

function slowdown(naturalW: number, limitW: number, exponent: number): number {
  return limitW >= naturalW ? 1 : (naturalW / limitW) ** exponent;
}

/** Factor (>= 1) by which prefill takes longer under `limitW`. */
export function prefillSlowdown(spec: GpuPowerSpec, limitW: number): number {
  return slowdown(spec.prefillW, clampLimitW(spec, limitW), spec.capSlowdownExponent);
}

/** Factor (>= 1) by which a decode iteration takes longer under `limitW`. */
export function decodeSlowdown(spec: GpuPowerSpec, limitW: number): number {
  return slowdown(spec.decodeW, clampLimitW(spec, limitW), spec.capSlowdownExponent);
}

/**
 * Mean power of one GPU over a step in which it spent `prefillFraction` of the time in prefill and
 * `decodeFraction` in decode (the rest idle). A capped phase draws the limit.
 */
export function gpuPowerW(spec: GpuPowerSpec, limitW: number, prefillFraction: number, decodeFraction: number): number {
  const limit = clampLimitW(spec, limitW);
  const idle = Math.max(0, 1 - prefillFraction - decodeFraction);
  return idle * spec.idleW + prefillFraction * Math.min(spec.prefillW, limit) + decodeFraction * Math.min(spec.decodeW, limit);
}

/** The most one GPU can draw under `limitW` (what a budget must cover in the worst case). */
export function gpuPeakW(spec: GpuPowerSpec, limitW: number): number {
  return Math.min(spec.prefillW, clampLimitW(spec, limitW));
}
