// Shared by filter and prioritize: which request form was used, the candidate nodes with their
// racks, and the pod's expected power.
import { estimatePodPower, type Candidate, type PodLike, type PodPowerEstimate } from '../decisions/index.js';
import type { ExtenderContext } from '../context.js';
import { podKey } from '../ledger.js';
import { candidateOf } from '../placement.js';
import type { ExtenderArgs, WireNode } from '../wire.js';
import type { Topology } from '../../rack-model/types.js';

export interface ResolvedArgs {
  /** The request carried `Nodes` (nodeCacheCapable false): answer with Nodes. */
  readonly withNodes: boolean;
  /** The request carried `NodeNames` (nodeCacheCapable true): answer with NodeNames. */
  readonly withNames: boolean;
  readonly nodes: readonly WireNode[];
  readonly names: readonly string[];
  readonly pod: PodLike;
  readonly podPower: PodPowerEstimate;
}

/** undefined when neither Nodes nor NodeNames is present: the caller answers 400. */
export function resolveArgs(ctx: ExtenderContext, args: ExtenderArgs): ResolvedArgs | undefined {
  const withNodes = args.Nodes !== undefined && args.Nodes !== null;
  const withNames = Array.isArray(args.NodeNames);
  if (!withNodes && !withNames) return undefined;
  const nodes = args.Nodes?.items ?? [];
  const names = withNodes ? nodes.map((n) => n.metadata.name) : (args.NodeNames ?? []);
  // The schema checked the fields we read; the cast only narrows nulls TypeBox spells differently.
  const pod = args.Pod as PodLike;
  const podPower = estimatePodPower(pod, ctx.deps.settings.podPower);
  const meta = args.Pod.metadata;
  ctx.recentPods.remember(podKey({ uid: meta?.uid, namespace: meta?.namespace, name: meta?.name }), pod);
  return { withNodes, withNames, nodes, names, pod, podPower };
}

export function candidatesOf(ctx: ExtenderContext, topology: Topology, r: ResolvedArgs): Candidate[] {
  if (r.withNodes) return r.nodes.map((n) => candidateOf(topology, n.metadata.name, n.metadata.labels ?? ctx.deps.nodeLabels?.labelsOf(n.metadata.name)));
  return r.names.map((name) => candidateOf(topology, name, ctx.deps.nodeLabels?.labelsOf(name)));
}

/** Candidates in no rack of the topology (no rack, or a rack label naming a rack it lacks). */
export function countUnknown(topology: Topology, candidates: readonly Candidate[]): number {
  let n = 0;
  for (const c of candidates) if (c.rackId === undefined || !topology.rackIndex.has(c.rackId)) n++;
  return n;
}

export const NEITHER_FORM = {
  error: 'request has neither Nodes nor NodeNames',
  code: 'CLIMATIK_REQUEST_INVALID',
  issues: [{ path: '/NodeNames', message: 'one of Nodes (nodeCacheCapable false) or NodeNames (true) is required', value: null }],
};
