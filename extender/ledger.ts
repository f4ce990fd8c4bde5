// Pods bound since the last telemetry sample count against their rack at once, so a burst of
// binds cannot overshoot a budget before telemetry sees the new load. Keyed by pod (UID, else
// namespace/name) so a retried bind, or the same pod seen again by the Pod informer, counts once.
// Pure: the HTTP bind and the informer both feed it; it never reads the clock itself.

export interface LedgerEntry {
  readonly key: string;
  readonly rackId: string;
  readonly powerW: number;
  readonly boundAtMs: number;
}

export class BindLedger {
  private readonly entries = new Map<string, LedgerEntry>();
  private versionCounter = 0;

  /** Changes whenever the contents change, so derived state can be cached. */
  get version(): number {
    return this.versionCounter;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Adds or updates an entry. An earlier bind time wins: the informer may see the pod after the HTTP bind. */
  record(entry: LedgerEntry): void {
    if (!Number.isFinite(entry.powerW) || entry.powerW < 0 || !Number.isFinite(entry.boundAtMs)) return;
    const old = this.entries.get(entry.key);
    const next = old === undefined ? entry : { ...entry, boundAtMs: Math.min(old.boundAtMs, entry.boundAtMs) };
    if (old !== undefined && old.rackId === next.rackId && old.powerW === next.powerW && old.boundAtMs === next.boundAtMs) return;
    this.entries.set(entry.key, next);
    this.versionCounter++;
  }

  remove(key: string): void {
    if (this.entries.delete(key)) this.versionCounter++;
  }

  get(key: string): LedgerEntry | undefined {
    return this.entries.get(key);
  }

  /**
   * W per rack of pods bound at or after that rack's sample time. `sampleTimeMs(rack)` undefined
   * means no sample at all: every entry counts.
   */
  boundSinceSampleW(sampleTimeMs: (rackId: string) => number | undefined): Record<string, number> {
    const out: Record<string, number> = {};
    for (const e of this.entries.values()) {
      const since = sampleTimeMs(e.rackId);
      if (since !== undefined && e.boundAtMs < since) continue;
      out[e.rackId] = (out[e.rackId] ?? 0) + e.powerW;
    }
    return out;
  }

  /** Drops entries that every later sample already includes (bound before `olderThanMs`). */
  prune(olderThanMs: number): number {
    let dropped = 0;
    for (const [key, e] of this.entries) {
      if (e.boundAtMs < olderThanMs) {
        this.entries.delete(key);
        dropped++;
      }
    }
    if (dropped > 0) this.versionCounter++;
    return dropped;
  }
}

/** The ledger key for a pod: its UID when known (a recreated pod with the same name is a new pod). */
export function podKey(p: { uid?: string | undefined; namespace?: string | undefined; name?: string | undefined }): string {
  if (p.uid !== undefined && p.uid !== '') return `uid:${p.uid}`;
  return `name:${p.namespace ?? 'default'}/${p.name ?? ''}`;
}
