// Per-request latencies, kept as growable typed arrays (a replay records hundreds of thousands),
// and the tail quantiles the report shows.
export class SampleLog {
  private data = new Float64Array(1024);
  private n = 0;

  get count(): number {
    return this.n;
  }

  add(value: number): void {
    if (this.n === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.n] = value;
    this.n += 1;
  }

  /** Nearest-rank quantile (q in [0, 1]); 0 when empty. */
  quantile(q: number): number {
    if (this.n === 0) return 0;
    const sorted = this.data.slice(0, this.n).sort();
    const rank = Math.min(this.n - 1, Math.max(0, Math.ceil(q * this.n) - 1));
    return sorted[rank] as number;
  }
}

export interface RequestSink {
  readonly ttftS: SampleLog;
  readonly tpotS: SampleLog;
  /** Prompt tokens prefilled plus output tokens generated. */
  tokensServed: number;
}

export function createRequestSink(): RequestSink {
  return { ttftS: new SampleLog(), tpotS: new SampleLog(), tokensServed: 0 };
}
