// Properties of the generated row-layout matrix (see README.md for the model).
import t from 'tap';
import fc from 'fast-check';
import { alg } from '@dagrejs/graphlib';
import { ROW_LAYOUT_DEFAULTS, buildLayoutGraph, generateRecirculationMatrix, type PlacedRack } from './recirculation-matrix.js';

const row = (name: string, n: number): PlacedRack[] => Array.from({ length: n }, (_, p) => ({ id: `${name}${p}`, row: name, position: p }));

await t.test('single row of five: hand-computed entries', async (t) => {
  // Defaults: self 0.2, neighbour 0.08, decay 0.5, end factor 1.5. Racks A0..A4, A0 and A4 are ends.
  const D = generateRecirculationMatrix(row('A', 5));
  t.equal(D[0]?.[0], 0.2 * 1.5, 'end rack self term is boosted');
  t.equal(D[2]?.[2], 0.2, 'interior self term');
  t.equal(D[2]?.[1], 0.08, 'neighbour, one slot');
  t.equal(D[2]?.[0], 0.04, 'two slots: one decay');
  t.equal(D[0]?.[3], 0.08 * 0.25 * 1.5, 'end inlet from three slots away');
});

await t.test('end-of-row racks recirculate more than interior ones at the same distance', async (t) => {
  const D = generateRecirculationMatrix(row('A', 6));
  t.ok((D[0]?.[0] ?? 0) > (D[2]?.[2] ?? 0), 'self term');
  t.ok((D[0]?.[1] ?? 0) > (D[2]?.[3] ?? 0), 'from a neighbour');
  t.ok((D[5]?.[4] ?? 0) > (D[3]?.[2] ?? 0), 'the other end too');
});

await t.test('hot-aisle pair couples facing racks; unpaired rows do not interact', async (t) => {
  const racks = [...row('A', 3), ...row('B', 3), ...row('C', 3)];
  const D = generateRecirculationMatrix(racks, { hotAislePairs: [['A', 'B']] });
  const idx = (id: string): number => racks.findIndex((r) => r.id === id);
  t.equal(D[idx('A1')]?.[idx('B1')], 0.03, 'facing interior racks: acrossAisleCPerKW');
  t.equal(D[idx('A1')]?.[idx('B2')], 0.03 * 0.5, 'one slot further: one decay');
  t.equal(D[idx('A1')]?.[idx('C1')], 0, 'no shared aisle, no path');
});

await t.test('aisle hops are graph edges and distances come from the graph', async (t) => {
  const racks = [...row('A', 2), { id: 'B5', row: 'B', position: 5 }];
  const g = buildLayoutGraph(racks.map((r) => ({ id: r.id, row: r.row ?? '', position: r.position ?? 0 })), {
    ...ROW_LAYOUT_DEFAULTS,
    hotAislePairs: [['A', 'B']],
  });
  t.ok(g.hasEdge('A1', 'B5'), 'A1 faces B5 (nearest position)');
  t.equal(g.edge('A1', 'B5'), 1 + 4, 'aisle hop + offset in slots');
  t.equal(alg.dijkstra(g, 'A0', (e) => Number(g.edge(e)), (v) => g.nodeEdges(v) ?? [])['B5']?.distance, 6);
});

await t.test('rack without a row or position is rejected, not guessed', async (t) => {
  t.throws(() => generateRecirculationMatrix([{ id: 'x' }]), { code: 'CLIMATIK_TOPOLOGY_INVALID' });
});

await t.test('random layouts: non-negative, finite, symmetric between racks of the same kind', async (t) => {
  const layout = fc.uniqueArray(fc.record({ row: fc.constantFrom('A', 'B', 'C'), position: fc.integer({ min: 0, max: 9 }) }), {
    minLength: 1,
    maxLength: 20,
    selector: (r) => `${r.row}${r.position}`,
  });
  t.doesNotThrow(() => fc.assert(
    fc.property(layout, fc.boolean(), (slots, paired) => {
      const racks = slots.map((s) => ({ id: `${s.row}${s.position}`, ...s }));
      const D = generateRecirculationMatrix(racks, { hotAislePairs: paired ? [['A', 'B']] : [] });
      const end = (id: string): boolean => {
        const r = racks.find((x) => x.id === id);
        const peers = racks.filter((x) => x.row === r?.row).map((x) => x.position);
        return r !== undefined && (r.position === Math.min(...peers) || r.position === Math.max(...peers));
      };
      for (const [i, ri] of racks.entries()) {
        for (const [j, rj] of racks.entries()) {
          const dij = D[i]?.[j] ?? Number.NaN;
          if (!(Number.isFinite(dij) && dij >= 0)) return false;
          // Only the end-of-row factor breaks symmetry, so racks of the same kind see each other equally.
          if (end(ri.id) === end(rj.id) && Math.abs(dij - (D[j]?.[i] ?? Number.NaN)) > 1e-12) return false;
          if (i !== j && dij > ROW_LAYOUT_DEFAULTS.neighbourCPerKW * ROW_LAYOUT_DEFAULTS.endOfRowFactor + 1e-12) return false;
        }
      }
      return true;
    }),
    { seed: 7, numRuns: 200 },
  ));
});
