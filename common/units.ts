// Units used across Climatik. Numbers carry their unit in their name (`powerW`, `inletC`,
// `intervalMs`); these helpers are the only conversions, so a kW/W slip shows up in one place.

export type Watts = number;
export type Celsius = number;
export type Milliseconds = number;

export const W_PER_KW = 1000;

export function wattsToKilowatts(powerW: Watts): number {
  return powerW / W_PER_KW;
}

export function kilowattsToWatts(powerKW: number): Watts {
  return powerKW * W_PER_KW;
}

/** Energy in kWh from a constant power held for a duration. */
export function energyKWh(powerW: Watts, durationMs: Milliseconds): number {
  return (powerW / W_PER_KW) * (durationMs / 3_600_000);
}

const DURATION_UNITS_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/**
 * Parses a Kubernetes/Go-style duration (`90s`, `4h`, `1h30m`, `250ms`) into milliseconds.
 * Returns undefined for anything else, so callers can report the field by name.
 */
export function parseDurationMs(text: string): Milliseconds | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let consumed = 0;
  for (let match = re.exec(trimmed); match !== null; match = re.exec(trimmed)) {
    const [whole, amount, unit] = match;
    total += Number(amount) * (DURATION_UNITS_MS[unit ?? ''] ?? Number.NaN);
    consumed += whole.length;
  }
  if (consumed !== trimmed.length || !Number.isFinite(total)) return undefined;
  return total;
}

export function formatDurationMs(durationMs: Milliseconds): string {
  if (durationMs % 3_600_000 === 0) return `${durationMs / 3_600_000}h`;
  if (durationMs % 60_000 === 0) return `${durationMs / 60_000}m`;
  if (durationMs % 1000 === 0) return `${durationMs / 1000}s`;
  return `${durationMs}ms`;
}
