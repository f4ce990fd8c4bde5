// Whether the extender's inputs are complete enough to decide. In cluster mode, before the Pod
// informer's first list the ledger misses every pod bound before this process started (a restart
// would admit pods into racks that are already full); before the Node informer's first list no
// node maps to a rack by label, and a telemetry snapshot built before that sync attributes no node
// power to those racks. /readyz reports these; /filter answers with an Error (the scheduler retries
// with backoff) instead of deciding on an incomplete ledger or an unmapped snapshot.
import type { ExtenderContext } from './context.js';

export function syncProblems(ctx: ExtenderContext): string[] {
  const informers = ctx.deps.informers;
  if (informers === undefined) return [];
  const problems: string[] = [];
  const nodesAt = informers.nodesSyncedAtMs();
  if (nodesAt === undefined) problems.push('node informer not synced yet (node → rack mapping incomplete)');
  if (informers.podsSyncedAtMs() === undefined) problems.push('pod informer not synced yet (ledger of bound pods incomplete)');
  const snapshot = ctx.deps.power.current();
  if (nodesAt !== undefined && snapshot !== undefined && snapshot.takenAtMs < nodesAt) {
    problems.push('telemetry snapshot predates the node informer sync (nodes not yet mapped to racks)');
  }
  return problems;
}
