// Pods bound to a node count against their rack until telemetry shows them drawing, so a burst of
// binds cannot overshoot a budget while the new pods pull images and load models (minutes at
// near-zero draw). A telemetry sample being newer than the bind proves nothing: Prometheus
// evaluates its query every refresh, whether or not the pod draws yet.
//
// Per entry, the uncovered power (what rack telemetry does not yet include) is:
//   - not running yet (no Ready=True)                 → the full expected power;
//   - running, with a fresh per-pod power sample       → max(0, expected − measured);
//   - running, no per-pod sample, within the warm-up   → the full expected power;
//   - running, no per-pod sample, warm-up over         → 0 (rack telemetry includes it).
// Keyed by pod (UID, else namespace/name) so a retried bind, or the same pod seen again by the Pod
// informer, counts once. Pure: it never reads the clock itself.

export interface LedgerEntry {
  readonly key: string;
  readonly rackId: string;
  readonly powerW: number;
  readonly boundAtMs: number;
  /** `namespace/name`, telemetry's key for per-pod power. */
  readonly podRef?: string;
  /** When the pod became Running and Ready; undefined while it is bound but not yet running. */
  readonly runningSinceMs?: number | undefined;
  /** Seen by the Pod informer (the API server has it); false for this replica's in-flight binds. */
  readonly confirmed: boolean;
}

export interface UncoveredContext {
  readonly nowMs: number;
  /** Keep counting a running pod without per-pod telemetry this long after it became ready. */
  readonly warmupMs: number;
  /** A fresh per-pod power sample (W) taken at or after `sinceMs`, else undefined. */
  readonly podPowerW: (podRef: string, sinceMs: number) => number | undefined;
  /** Racks whose power is already a worst case (stale → nameplate): entries there add nothing. */
  readonly skipRack: (rackId: string) => boolean;
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

  /**
   * Adds or updates an entry. An earlier bind time wins (the informer may see the pod after the
   * HTTP bind); once confirmed by the informer an entry stays confirmed and an unconfirmed record
   * (a retried bind) does not overwrite what the API server said.
   */
  record(entry: LedgerEntry): void {
    if (!Number.isFinite(entry.powerW) || entry.powerW < 0 || !Number.isFinite(entry.boundAtMs)) return;
    const old = this.entries.get(entry.key);
    if (old?.confirmed === true && !entry.confirmed) return;
    const next: LedgerEntry = old === undefined ? entry : { ...entry, boundAtMs: Math.min(old.boundAtMs, entry.boundAtMs) };
    if (old !== undefined && sameEntry(old, next)) return;
    this.entries.set(entry.key, next);
    this.versionCounter++;
  }

  remove(key: string): void {
    if (this.entries.delete(key)) this.versionCounter++;
  }

  get(key: string): LedgerEntry | undefined {
    return this.entries.get(key);
  }

  /** The W of one entry that rack telemetry does not include yet (see the rule at the top). */
  static uncoveredW(e: LedgerEntry, ctx: UncoveredContext): number {
    if (e.runningSinceMs === undefined) return e.powerW;
    const measured = e.podRef === undefined ? undefined : ctx.podPowerW(e.podRef, e.runningSinceMs);
    if (measured !== undefined) return Math.max(0, e.powerW - measured);
    return ctx.nowMs - e.runningSinceMs < ctx.warmupMs ? e.powerW : 0;
  }

  /** W per rack that bound pods add on top of the measured rack power. */
  uncoveredByRackW(ctx: UncoveredContext): Record<string, number> {
    const out: Record<string, number> = {};
    for (const e of this.entries.values()) {
      if (ctx.skipRack(e.rackId)) continue;
      const w = BindLedger.uncoveredW(e, ctx);
      if (w > 0) out[e.rackId] = (out[e.rackId] ?? 0) + w;
    }
    return out;
  }

  /**
   * Drops this replica's in-flight binds that the Pod informer never confirmed and that are older
   * than `olderThanMs` (the pod was deleted before the informer saw it). Confirmed entries leave
   * only with their pod (delete, or a terminal phase).
   */
  pruneUnconfirmed(olderThanMs: number): number {
    let dropped = 0;
    for (const [key, e] of this.entries) {
      if (!e.confirmed && e.boundAtMs < olderThanMs) {
        this.entries.delete(key);
        dropped++;
      }
    }
    if (dropped > 0) this.versionCounter++;
    return dropped;
  }
}

function sameEntry(a: LedgerEntry, b: LedgerEntry): boolean {
  return (
    a.rackId === b.rackId &&
    a.powerW === b.powerW &&
    a.boundAtMs === b.boundAtMs &&
    a.podRef === b.podRef &&
    a.runningSinceMs === b.runningSinceMs &&
    a.confirmed === b.confirmed
  );
}

/** The ledger key for a pod: its UID when known (a recreated pod with the same name is a new pod). */
export function podKey(p: { uid?: string | undefined; namespace?: string | undefined; name?: string | undefined }): string {
  if (p.uid !== undefined && p.uid !== '') return `uid:${p.uid}`;
  return `name:${p.namespace ?? 'default'}/${p.name ?? ''}`;
}
