// Every validation rule, table-driven: a valid base document, one mutation per scenario, and the
// path + message (+ value) the operator must see.
import t from 'tap';
import { formatIssue, type FieldIssue } from '../common/index.js';
import { measuredTopologyDoc, type TopologyDoc as Doc } from './testing/fixtures.js';
import { topologyIssues } from './topology-validate.js';

const measured = measuredTopologyDoc;

function generated(): Doc {
  return {
    ...measured(),
    racks: [
      { id: 'a1', powerBudgetW: 20000, row: 'A', position: 0 },
      { id: 'a2', powerBudgetW: 20000, row: 'A', position: 1 },
      { id: 'b1', powerBudgetW: 20000, row: 'B', position: 0 },
    ],
    heatRecirculation: { generated: { model: 'row-layout', hotAislePairs: [['A', 'B']] } },
  };
}

interface Case {
  readonly name: string;
  readonly doc: () => unknown;
  /** Expected issues (path + message pattern + optional value); the list must match exactly. */
  readonly want: readonly { path: string; message: RegExp; value?: unknown }[];
}

const cases: Case[] = [
  { name: 'valid measured topology (the issue example)', doc: measured, want: [] },
  { name: 'valid generated topology', doc: generated, want: [] },
  {
    name: 'duplicate rack id',
    doc: () => { const d = measured(); d.racks[1] = { ...d.racks[1], id: 'r01' }; return d; },
    want: [{ path: '/racks/1/id', message: /duplicate rack id \(first used at \/racks\/0\)/, value: 'r01' }],
  },
  {
    name: 'node in two racks',
    doc: () => { const d = measured(); d.racks[1] = { ...d.racks[1], nodes: ['gpu-a02'] }; return d; },
    want: [{ path: '/racks/1/nodes/0', message: /already belongs to another rack \(\/racks\/0\/nodes\/1\)/, value: 'gpu-a02' }],
  },
  {
    name: 'node listed twice in one rack',
    doc: () => { const d = measured(); d.racks[0] = { ...d.racks[0], nodes: ['n1', 'n1'] }; return d; },
    want: [{ path: '/racks/0/nodes/1', message: /listed twice in this rack/, value: 'n1' }],
  },
  {
    name: 'matrix with too few rows',
    doc: () => { const d = measured(); d.heatRecirculation = { matrixCPerKW: [[0.3, 0.1]] }; return d; },
    want: [{ path: '/heatRecirculation/matrixCPerKW', message: /has 1 rows, expected 2/, value: 1 }],
  },
  {
    name: 'matrix row of the wrong length',
    doc: () => { const d = measured(); d.heatRecirculation = { matrixCPerKW: [[0.3, 0.1, 0.0], [0.12, 0.25]] }; return d; },
    want: [{ path: '/heatRecirculation/matrixCPerKW/0', message: /has 3 entries, expected 2/, value: [0.3, 0.1, 0] }],
  },
  {
    name: 'negative matrix entry',
    doc: () => { const d = measured(); d.heatRecirculation = { matrixCPerKW: [[0.3, -0.1], [0.12, 0.25]] }; return d; },
    want: [{ path: '/heatRecirculation/matrixCPerKW/0/1', message: /must be >= 0/, value: -0.1 }],
  },
  {
    name: 'non-finite matrix entry (YAML .nan / .inf)',
    doc: () => { const d = measured(); d.heatRecirculation = { matrixCPerKW: [[Number.NaN, 0.1], [0.12, Number.POSITIVE_INFINITY]] }; return d; },
    want: [
      { path: '/heatRecirculation/matrixCPerKW/0/0', message: /finite/, value: 'NaN' },
      { path: '/heatRecirculation/matrixCPerKW/1/1', message: /finite/, value: 'Infinity' },
    ],
  },
  {
    name: 'red line not above supply',
    doc: () => ({ ...measured(), redlineInletC: 18 }),
    want: [{ path: '/redlineInletC', message: /must be above supplyTemperatureC \(18 °C\)/, value: 18 }],
  },
  {
    name: 'non-finite supply temperature',
    doc: () => ({ ...measured(), supplyTemperatureC: Number.NEGATIVE_INFINITY }),
    want: [{ path: '/supplyTemperatureC', message: /finite/, value: '-Infinity' }],
  },
  {
    name: 'missing budget',
    doc: () => { const d = measured(); d.racks[1] = { id: 'r02' }; return d; },
    want: [{ path: '/racks/1/powerBudgetW', message: /required field is missing/ }],
  },
  {
    name: 'zero budget',
    doc: () => { const d = measured(); d.racks[0] = { ...d.racks[0], powerBudgetW: 0 }; return d; },
    want: [{ path: '/racks/0/powerBudgetW', message: /must be > 0/, value: 0 }],
  },
  {
    name: 'neither matrix nor generated',
    doc: () => { const d = measured(); d.heatRecirculation = {}; return d; },
    want: [{ path: '/heatRecirculation', message: /exactly one of matrixCPerKW or generated, found neither/ }],
  },
  {
    name: 'both matrix and generated',
    doc: () => { const d = generated(); d.heatRecirculation = { ...d.heatRecirculation, matrixCPerKW: [[0, 0, 0], [0, 0, 0], [0, 0, 0]] }; return d; },
    want: [{ path: '/heatRecirculation', message: /found both/ }],
  },
  {
    name: 'generated model without row and position',
    doc: () => { const d = generated(); d.racks[2] = { id: 'b1', powerBudgetW: 20000 }; return d; },
    want: [
      { path: '/racks/2/row', message: /required by heatRecirculation.generated/ },
      { path: '/racks/2/position', message: /required by heatRecirculation.generated/ },
      { path: '/heatRecirculation/generated/hotAislePairs/0/1', message: /unknown row \(rows: A\)/, value: 'B' },
    ],
  },
  {
    name: 'two racks in one slot',
    doc: () => { const d = generated(); d.racks[1] = { ...d.racks[1], position: 0 }; return d; },
    want: [{ path: '/racks/1/position', message: /slot already taken in row A by \/racks\/0/, value: 0 }],
  },
  {
    name: 'hot-aisle pair naming an unknown row',
    doc: () => { const d = generated(); d.heatRecirculation = { generated: { model: 'row-layout', hotAislePairs: [['A', 'C']] } }; return d; },
    want: [{ path: '/heatRecirculation/generated/hotAislePairs/0/1', message: /unknown row \(rows: A, B\)/, value: 'C' }],
  },
  {
    name: 'hot-aisle pair of a row with itself',
    doc: () => { const d = generated(); d.heatRecirculation = { generated: { model: 'row-layout', hotAislePairs: [['A', 'A']] } }; return d; },
    want: [{ path: '/heatRecirculation/generated/hotAislePairs/0', message: /cannot share a hot aisle with itself/ }],
  },
  {
    name: 'rackOrder naming an unknown rack and missing one',
    doc: () => { const d = measured(); d.heatRecirculation = { ...d.heatRecirculation, rackOrder: ['r01', 'r99'] }; return d; },
    want: [
      { path: '/heatRecirculation/rackOrder/1', message: /unknown rack id/, value: 'r99' },
      { path: '/heatRecirculation/rackOrder', message: /does not list racks r02/ },
    ],
  },
  {
    name: 'rackOrder with a duplicate',
    doc: () => { const d = measured(); d.heatRecirculation = { ...d.heatRecirculation, rackOrder: ['r02', 'r02'] }; return d; },
    want: [
      { path: '/heatRecirculation/rackOrder/1', message: /duplicate rack id/, value: 'r02' },
      { path: '/heatRecirculation/rackOrder', message: /does not list racks r01/ },
    ],
  },
  {
    name: 'unknown field',
    doc: () => ({ ...measured(), colour: 'blue' }),
    want: [{ path: '/colour', message: /unknown field/, value: 'blue' }],
  },
  {
    name: 'not an object at all',
    doc: () => 'racks: none',
    want: [{ path: '', message: /object/ }],
  },
];

for (const c of cases) {
  await t.test(c.name, async (t) => {
    const got = topologyIssues(c.doc());
    t.equal(got.length, c.want.length, `issues: ${got.map(formatIssue).join(' | ')}`);
    for (const w of c.want) {
      const hit = got.find((i: FieldIssue) => i.path === w.path && w.message.test(i.message));
      t.ok(hit, `reports ${w.path} ${String(w.message)}`);
      if (hit !== undefined && 'value' in w) t.same(hit.value, w.value, `value at ${w.path}`);
    }
  });
}

await t.test('many problems at once are all reported', async (t) => {
  const d = measured();
  d.redlineInletC = 10;
  d.racks[1] = { id: 'r01', nodes: ['gpu-a01'] };
  d.heatRecirculation = { matrixCPerKW: [[0.3, -1]] };
  const paths = topologyIssues(d).map((i) => i.path).sort();
  t.same(paths, [
    '/heatRecirculation/matrixCPerKW',
    '/heatRecirculation/matrixCPerKW/0/1',
    '/racks/1/id',
    '/racks/1/nodes/0',
    '/racks/1/powerBudgetW',
    '/redlineInletC',
  ]);
});
