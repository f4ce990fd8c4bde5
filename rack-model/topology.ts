// Topology construction: validate (schema + cross-field rules, every problem at once), fill
// defaults, build the matrix (measured, reordered to rack order, or generated) and deep-freeze.
import { ClimatikError, deepFreeze, withDefaults } from '../common/index.js';
import { FrozenMap } from './frozen-map.js';
import { generateRecirculationMatrix } from './recirculation-matrix.js';
import { DEFAULT_RACK_LABEL, RackTopologySchema, type RackTopologyDocument } from './topology-schema.js';
import { topologyIssues } from './topology-validate.js';
import type { Rack, Topology } from './types.js';

export function parseTopology(doc: unknown, source: string): Topology {
  const issues = topologyIssues(doc);
  if (issues.length > 0) {
    throw new ClimatikError('CLIMATIK_TOPOLOGY_INVALID', `topology ${source} is invalid: ${issues.length} problem(s)`, { issues });
  }
  // Valid by the checks above; defaults only add optional fields.
  const filled = withDefaults(RackTopologySchema, doc) as RackTopologyDocument;
  const racks: Rack[] = filled.racks.map((r, index) => ({
    id: r.id,
    index,
    powerBudgetW: r.powerBudgetW,
    nameplateW: r.nameplateW ?? r.powerBudgetW,
    nodes: [...(r.nodes ?? [])],
    ...(r.row === undefined ? {} : { row: r.row }),
    ...(r.position === undefined ? {} : { position: r.position }),
  }));
  const nodeRack = new FrozenMap(racks.flatMap((r) => r.nodes.map((n) => [n, r.id] as const)));
  const hr = filled.heatRecirculation;
  const matrix =
    hr.generated !== undefined ? generateRecirculationMatrix(racks, hr.generated) : measuredMatrix(racks, hr.matrixCPerKW ?? [], hr.rackOrder);
  return deepFreeze({
    supplyTemperatureC: filled.supplyTemperatureC,
    redlineInletC: filled.redlineInletC,
    rackLabel: filled.rackLabel ?? DEFAULT_RACK_LABEL,
    racks,
    rackIndex: new FrozenMap(racks.map((r) => [r.id, r.index] as const)),
    nodeRack,
    recirculationCPerKW: matrix,
    matrixSource: hr.generated !== undefined ? 'generated' : 'measured',
  });
}

/** Copies the measured matrix into rack order (rackOrder, when given, names the matrix's order). */
function measuredMatrix(racks: readonly Rack[], matrix: readonly (readonly number[])[], rackOrder: readonly string[] | undefined): number[][] {
  const at = (id: string, fallback: number): number => (rackOrder === undefined ? fallback : rackOrder.indexOf(id));
  return racks.map((inlet) => racks.map((source) => matrix[at(inlet.id, inlet.index)]?.[at(source.id, source.index)] ?? 0));
}

/** The rack of a node: the explicit node lists first, then the node's rack label; undefined if unknown. */
export function rackOfNode(topology: Topology, nodeName: string, nodeLabels?: Readonly<Record<string, string>>): string | undefined {
  const listed = topology.nodeRack.get(nodeName);
  if (listed !== undefined) return listed;
  const labelled = nodeLabels?.[topology.rackLabel];
  return labelled !== undefined && topology.rackIndex.has(labelled) ? labelled : undefined;
}
