// Seeded pseudo-random numbers (mulberry32). Every random choice in a run (the random policy,
// scheduler tie-breaks, load-scale copies) draws from one of these, never Math.random, so a run
// is reproducible from its seed.
export interface Prng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
}

export function createPrng(seed: number): Prng {
  // Mix the seed so nearby seeds (1, 2, 3) give unrelated streams.
  let state = (Math.imul(seed | 0, 0x9e3779b1) ^ 0x85ebca6b) >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n) => Math.floor(next() * n) };
}

/** A child stream for one purpose, so adding draws in one place does not shift another's. */
export function forkPrng(seed: number, purpose: string): Prng {
  let h = seed | 0;
  for (let i = 0; i < purpose.length; i += 1) h = Math.imul(h ^ purpose.charCodeAt(i), 0x01000193);
  return createPrng(h);
}
