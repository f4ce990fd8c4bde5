// A bounded ring of the extender's recent placement decisions, for the status page. Filled from the
// /filter and /bind handlers' results (see ui-plugin.ts: a preSerialization hook, so the routes are
// untouched and nothing is parsed twice). Memory is bounded by `capacity` and by the per-decision
// caps on listed nodes: a 5,000-node filter keeps counts plus the first few rejections.
export interface FilterDecision {
  readonly verb: 'filter';
  readonly atMs: number;
  readonly pod: string;
  readonly passedCount: number;
  /** First passing nodes, at most `MAX_LISTED`. */
  readonly passed: readonly string[];
  readonly failedCount: number;
  /** First rejections with the extender's reason, at most `MAX_LISTED`. */
  readonly failed: readonly { readonly node: string; readonly reason: string; readonly unresolvable: boolean }[];
  readonly error: string;
}

export interface BindDecision {
  readonly verb: 'bind';
  readonly atMs: number;
  readonly pod: string;
  readonly node: string;
  readonly error: string;
}

export type Decision = FilterDecision | BindDecision;

export const MAX_LISTED = 8;
export const DEFAULT_DECISION_CAPACITY = 50;

export class DecisionLog {
  private readonly ring: Decision[] = [];
  private next = 0;

  constructor(readonly capacity: number = DEFAULT_DECISION_CAPACITY) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`decision log capacity must be a positive integer, got ${capacity}`);
  }

  record(decision: Decision): void {
    if (this.ring.length < this.capacity) this.ring.push(decision);
    else this.ring[this.next] = decision;
    this.next = (this.next + 1) % this.capacity;
  }

  /** Newest first. */
  recent(): Decision[] {
    const n = this.ring.length;
    const out: Decision[] = [];
    for (let i = 1; i <= n; i++) {
      const d = this.ring[(this.next - i + n * 2) % n];
      if (d !== undefined) out.push(d);
    }
    return out;
  }
}

interface FilterResultLike {
  readonly NodeNames?: readonly string[] | null;
  readonly Nodes?: { readonly items?: readonly unknown[] } | null;
  readonly FailedNodes?: Readonly<Record<string, string>>;
  readonly FailedAndUnresolvableNodes?: Readonly<Record<string, string>>;
  readonly Error?: string;
}

/** The decision a /filter answer carries. `podRef` is `namespace/name` from the request's Pod. */
export function filterDecision(atMs: number, podRef: string, result: FilterResultLike): FilterDecision {
  const names = result.NodeNames ?? (result.Nodes?.items ?? []).map(nodeName);
  const failedMap = result.FailedNodes ?? {};
  const unresolvable = result.FailedAndUnresolvableNodes ?? {};
  const failed: { node: string; reason: string; unresolvable: boolean }[] = [];
  let failedCount = 0;
  for (const [map, isUnres] of [[failedMap, false], [unresolvable, true]] as const) {
    for (const node in map) {
      // The route lists a node in both maps when it is unresolvable; count it once.
      if (!isUnres && node in unresolvable) continue;
      failedCount++;
      if (failed.length < MAX_LISTED) failed.push({ node, reason: map[node] ?? '', unresolvable: isUnres });
    }
  }
  return { verb: 'filter', atMs, pod: podRef, passedCount: names.length, passed: names.slice(0, MAX_LISTED), failedCount, failed, error: result.Error ?? '' };
}

function nodeName(n: unknown): string {
  const meta = typeof n === 'object' && n !== null ? (n as { metadata?: { name?: unknown } }).metadata : undefined;
  return typeof meta?.name === 'string' ? meta.name : '?';
}

/** `namespace/name` of a scheduler-sent Pod object, `?` for missing parts (the route validated the shape). */
export function podRefOf(pod: unknown): string {
  const meta = typeof pod === 'object' && pod !== null ? (pod as { metadata?: { name?: unknown; namespace?: unknown } }).metadata : undefined;
  const ns = typeof meta?.namespace === 'string' ? meta.namespace : 'default';
  const name = typeof meta?.name === 'string' ? meta.name : '?';
  return `${ns}/${name}`;
}
