// Generated heat-recirculation matrix for operators without measurements. The floor is a graph
// (graphlib): racks are nodes, neighbours in a row are joined by edges weighted by slot distance,
// racks facing each other across a shared hot aisle by `aisleHopSlots` (+ any position offset).
// D[i][j] decays geometrically with the graph distance from j to i, and end-of-row inlets are more
// sensitive because exhaust wraps around the row end. Model and assumptions: README.md.
import { Graph, alg, type Edge } from '@dagrejs/graphlib';
import { ClimatikError } from '../common/index.js';
import type { GeneratedRecirculation } from './topology-schema.js';

export interface PlacedRack {
  readonly id: string;
  readonly row?: string | undefined;
  readonly position?: number | undefined;
}

/** Parameters with every default applied. */
export type RowLayoutParams = Required<Omit<GeneratedRecirculation, 'model'>>;

export const ROW_LAYOUT_DEFAULTS: Readonly<RowLayoutParams> = Object.freeze({
  selfCPerKW: 0.2,
  neighbourCPerKW: 0.08,
  acrossAisleCPerKW: 0.03,
  decay: 0.5,
  endOfRowFactor: 1.5,
  hotAislePairs: [],
  aisleHopSlots: 1,
});

interface Slot {
  readonly id: string;
  readonly row: string;
  readonly position: number;
}

/** The floor as an undirected graph whose edge labels are distances in rack slots. */
export function buildLayoutGraph(racks: readonly Slot[], params: RowLayoutParams): Graph {
  const g = new Graph({ directed: false });
  for (const r of racks) g.setNode(r.id);
  const rows = groupRows(racks);
  for (const members of rows.values()) {
    for (let k = 1; k < members.length; k++) {
      const a = members[k - 1];
      const b = members[k];
      if (a !== undefined && b !== undefined) g.setEdge(a.id, b.id, b.position - a.position);
    }
  }
  for (const [rowA, rowB] of params.hotAislePairs) {
    const a = rows.get(rowA) ?? [];
    const b = rows.get(rowB) ?? [];
    // Each rack faces the nearest rack of the other row; both directions, so no rack is left out.
    for (const [from, to] of [[a, b], [b, a]] as const) {
      for (const r of from) {
        const facing = nearest(to, r.position);
        if (facing !== undefined) g.setEdge(r.id, facing.id, params.aisleHopSlots + Math.abs(facing.position - r.position));
      }
    }
  }
  return g;
}

export function generateRecirculationMatrix(racks: readonly PlacedRack[], params: Partial<GeneratedRecirculation> = {}): number[][] {
  const p: RowLayoutParams = { ...ROW_LAYOUT_DEFAULTS, ...definedOnly(params) };
  const slots = racks.map((r, i): Slot => {
    if (r.row === undefined || r.position === undefined) {
      throw new ClimatikError('CLIMATIK_TOPOLOGY_INVALID', `rack ${r.id} needs row and position for the generated matrix`, {
        issues: [{ path: `/racks/${i}`, message: 'row and position are required by heatRecirculation.generated', value: r }],
      });
    }
    return { id: r.id, row: r.row, position: r.position };
  });
  const g = buildLayoutGraph(slots, p);
  // dijkstraAll runs one Dijkstra per rack: O(n·E log n) on this sparse graph, cheaper than
  // Floyd–Warshall's O(n³) once a floor has hundreds of racks.
  const dist = alg.dijkstraAll(g, (e: Edge) => slotsOf(g, e), (v: string) => g.nodeEdges(v) ?? []);
  const ends = endOfRowIds(slots);
  return slots.map((inlet) => {
    const factor = ends.has(inlet.id) ? p.endOfRowFactor : 1;
    return slots.map((source) => {
      if (source.id === inlet.id) return p.selfCPerKW * factor;
      const hops = dist[source.id]?.[inlet.id]?.distance ?? Number.POSITIVE_INFINITY;
      if (!Number.isFinite(hops)) return 0; // no path: different, unconnected aisles
      const base = source.row === inlet.row ? p.neighbourCPerKW : p.acrossAisleCPerKW;
      return base * p.decay ** Math.max(0, hops - 1) * factor;
    });
  });
}

/** Edge labels are slot distances (numbers) by construction in buildLayoutGraph. */
function slotsOf(g: Graph, e: Edge): number {
  const label: unknown = g.edge(e);
  return typeof label === 'number' ? label : Number.POSITIVE_INFINITY;
}

function groupRows(racks: readonly Slot[]): Map<string, Slot[]> {
  const rows = new Map<string, Slot[]>();
  for (const r of racks) {
    const members = rows.get(r.row) ?? [];
    members.push(r);
    rows.set(r.row, members);
  }
  for (const members of rows.values()) members.sort((a, b) => a.position - b.position);
  return rows;
}

/** The first and last rack of each row (a one-rack row is both ends). */
function endOfRowIds(racks: readonly Slot[]): Set<string> {
  const ends = new Set<string>();
  for (const members of groupRows(racks).values()) {
    const first = members[0];
    const last = members[members.length - 1];
    if (first !== undefined) ends.add(first.id);
    if (last !== undefined) ends.add(last.id);
  }
  return ends;
}

function nearest(row: readonly Slot[], position: number): Slot | undefined {
  let best: Slot | undefined;
  for (const r of row) {
    if (best === undefined || Math.abs(r.position - position) < Math.abs(best.position - position)) best = r;
  }
  return best;
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
