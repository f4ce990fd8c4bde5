// Builds the status page's JSON from the stores the extender's routes read: topology store, power
// source (snapshot), plan store, the decision log and, when there is one, the policy status source.
import { Value } from 'typebox/value';
import { PolicyStatusSchema } from '../../capper/policy-schema.js';
import { rackOfNode } from '../../rack-model/index.js';
import type { Rack, Topology } from '../../rack-model/types.js';
import type { ExtenderDeps } from '../context.js';
import { effectivePower } from '../power-source.js';
import type { DecisionLog } from './decision-log.js';
import type { ListedPolicy, PolicyStatusSource } from './policy-source.js';
import type { PolicyView, RackView, Status } from './status-schema.js';

export type StatusDeps = Pick<ExtenderDeps, 'topology' | 'power' | 'plan' | 'clock' | 'settings' | 'nodeLabels'>;

export async function buildStatus(deps: StatusDeps, decisions: DecisionLog, policies: PolicyStatusSource | undefined): Promise<Status> {
  const nowMs = deps.clock.nowMs();
  const topology = deps.topology.current();
  const snapshot = deps.power.current();
  const stored = deps.plan();
  const capper = await capperView(policies);
  const base = {
    generatedAtMs: nowMs,
    telemetry: snapshot === undefined ? null : { takenAtMs: snapshot.takenAtMs, problems: [...snapshot.problems] },
    plan:
      stored === undefined
        ? null
        : {
            planner: stored.plan.planner,
            feasible: stored.plan.feasible,
            computedAtMs: stored.computedAtMs,
            reason: stored.plan.feasible ? '' : stored.plan.reason,
            warnings: [...(stored.plan.warnings ?? [])],
          },
    decisions: decisions.recent().map((d) => (d.verb === 'filter' ? { ...d, passed: [...d.passed], failed: d.failed.map((f) => ({ ...f })) } : { ...d })),
    capper,
  };
  if (topology === undefined) return { ...base, topologyLoaded: false, supplyTemperatureC: null, redlineInletC: null, rows: [] };

  const eff = effectivePower(snapshot, topology, nowMs, deps.settings.staleAfterMs);
  const allocation = stored?.plan.allocationW;
  const nodeCount = nodesPerRack(topology, deps.nodeLabels);
  const rackView = (rack: Rack): RackView => {
    const inlet = snapshot?.inletC[rack.id];
    const inletStale = inlet === undefined || inlet.stale || nowMs - inlet.sampleTimeMs > deps.settings.staleAfterMs;
    return {
      id: rack.id,
      row: rack.row ?? '',
      position: rack.position ?? null,
      powerW: eff.rackPowerW[rack.id] ?? rack.nameplateW,
      powerStale: eff.staleRacks.has(rack.id),
      powerNote: eff.staleReasons[rack.id] ?? '',
      powerBudgetW: rack.powerBudgetW,
      nameplateW: rack.nameplateW,
      inletC: inlet === undefined ? null : inlet.value,
      inletStale,
      targetW: allocation?.[rack.id] ?? null,
      nodes: nodeCount.get(rack.id) ?? 0,
    };
  };
  return {
    ...base,
    topologyLoaded: true,
    supplyTemperatureC: topology.supplyTemperatureC,
    redlineInletC: topology.redlineInletC,
    rows: groupByRow(topology.racks).map(({ row, racks }) => ({ row, racks: racks.map(rackView) })),
  };
}

/**
 * Nodes per rack: the topology's node lists, plus (cluster mode) every Node the informer knows that
 * maps to a rack by its label — in a labelled cluster the lists are usually empty.
 */
function nodesPerRack(topology: Topology, nodeLabels: StatusDeps['nodeLabels']): Map<string, number> {
  const counts = new Map(topology.racks.map((r) => [r.id, r.nodes.length]));
  for (const node of nodeLabels?.nodeNames?.() ?? []) {
    if (topology.nodeRack.has(node)) continue; // already counted from the list
    const rack = rackOfNode(topology, node, nodeLabels?.labelsOf(node));
    if (rack !== undefined) counts.set(rack, (counts.get(rack) ?? 0) + 1);
  }
  return counts;
}

/** Rows in first-appearance order; within a row by position, then list order. No rows → one group. */
export function groupByRow(racks: readonly Rack[]): { row: string; racks: Rack[] }[] {
  const rows = new Map<string, Rack[]>();
  for (const rack of racks) {
    const key = rack.row ?? '';
    const list = rows.get(key) ?? [];
    list.push(rack);
    rows.set(key, list);
  }
  return [...rows].map(([row, list]) => ({
    row,
    racks: list.sort((a, b) => (a.position ?? Number.MAX_SAFE_INTEGER) - (b.position ?? Number.MAX_SAFE_INTEGER) || a.index - b.index),
  }));
}

async function capperView(source: PolicyStatusSource | undefined): Promise<Status['capper']> {
  if (source === undefined) return { source: 'none', error: '', policies: [] };
  try {
    const items = await source.list();
    return { source: source.kind, error: '', policies: items.map(policyView) };
  } catch (err) {
    // Shown as is: the source's message says what failed (kubePolicyStatusSource: CRD missing, forbidden, ...).
    return { source: source.kind, error: err instanceof Error ? err.message : String(err), policies: [] };
  }
}

export function policyView(p: ListedPolicy): PolicyView {
  const spec = typeof p.spec === 'object' && p.spec !== null ? (p.spec as { mode?: unknown }) : {};
  const empty = { racksOverCap: null, activeActions: null, racks: [], recommendedActions: [], appliedActions: [], conditions: [] };
  const head = { namespace: p.metadata.namespace ?? '', name: p.metadata.name ?? '?', mode: typeof spec.mode === 'string' ? spec.mode : 'Observe' };
  if (p.status === undefined) return { ...head, problem: 'no status yet (capper has not reconciled this policy)', ...empty };
  if (!Value.Check(PolicyStatusSchema, p.status)) {
    const first = Value.Errors(PolicyStatusSchema, p.status)[0];
    return { ...head, problem: `status does not match the capper's schema${first === undefined ? '' : `: ${first.instancePath || '/'} ${first.message}`}`, ...empty };
  }
  const s = p.status;
  return {
    ...head,
    problem: '',
    racksOverCap: s.racksOverCap ?? null,
    activeActions: s.activeActions ?? null,
    racks: [...(s.racks ?? [])],
    recommendedActions: [...(s.recommendedActions ?? [])],
    // Newest first, last 10: the status keeps them newest last.
    appliedActions: [...(s.appliedActions ?? [])].slice(-10).reverse(),
    conditions: [...(s.conditions ?? [])],
  };
}
