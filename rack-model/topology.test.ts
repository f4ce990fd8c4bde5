import t from 'tap';
import { fileURLToPath } from 'node:url';
import { isClimatikError } from '../common/index.js';
import { loadTopologyFile } from './topology-file.js';
import { measuredTopologyDoc } from './testing/fixtures.js';
import { parseTopology, rackOfNode } from './topology.js';

const example = (name: string): string => fileURLToPath(new URL(`../examples/${name}`, import.meta.url));

const issueExample = measuredTopologyDoc();

await t.test('the issue example parses with defaults filled', async (t) => {
  const topo = parseTopology(issueExample, 'issue');
  t.equal(topo.rackLabel, 'topology.climatik.io/rack');
  t.equal(topo.racks.length, 2);
  t.equal(topo.racks[1]?.nameplateW, 30000, 'nameplate defaults to the budget');
  t.same(topo.racks[1]?.nodes, []);
  t.equal(topo.rackIndex.get('r02'), 1);
  t.equal(topo.nodeRack.get('gpu-a02'), 'r01');
  t.same(topo.recirculationCPerKW, [[0.3, 0.1], [0.12, 0.25]]);
  t.equal(topo.matrixSource, 'measured');
});

await t.test('topology is deep-frozen, maps included', async (t) => {
  const topo = parseTopology(structuredClone(issueExample), 'issue');
  t.ok(Object.isFrozen(topo));
  t.ok(Object.isFrozen(topo.racks[0]));
  t.ok(Object.isFrozen(topo.racks[0]?.nodes));
  t.ok(Object.isFrozen(topo.recirculationCPerKW[0]));
  t.throws(() => {
    (topo.recirculationCPerKW[0] as number[])[0] = 9;
  });
  t.notOk('set' in topo.rackIndex, 'rackIndex has no mutators');
  t.notOk('delete' in topo.nodeRack, 'nodeRack has no mutators');
  t.same([...topo.rackIndex.keys()], ['r01', 'r02']);
});

await t.test('the input document is not aliased', async (t) => {
  const doc = structuredClone(issueExample);
  const topo = parseTopology(doc, 'issue');
  doc.heatRecirculation.matrixCPerKW![0]![0] = 99;
  t.equal(topo.recirculationCPerKW[0]?.[0], 0.3);
});

await t.test('rackOrder reorders a measured matrix into rack order', async (t) => {
  const doc = structuredClone(issueExample) as Record<string, unknown>;
  doc.heatRecirculation = { matrixCPerKW: [[0.25, 0.12], [0.1, 0.3]], rackOrder: ['r02', 'r01'] };
  t.same(parseTopology(doc, 'reordered').recirculationCPerKW, [[0.3, 0.1], [0.12, 0.25]]);
});

await t.test('invalid topology throws CLIMATIK_TOPOLOGY_INVALID with every issue', async (t) => {
  const doc = structuredClone(issueExample) as Record<string, unknown>;
  doc.redlineInletC = 10;
  doc.heatRecirculation = { matrixCPerKW: [[0.3]] };
  try {
    parseTopology(doc, 'bad.yaml');
    t.fail('should throw');
  } catch (err) {
    t.ok(isClimatikError(err, 'CLIMATIK_TOPOLOGY_INVALID'));
    if (!isClimatikError(err)) return;
    t.match(err.message, /bad\.yaml.*3 problem/);
    t.same(err.issues.map((i) => i.path).sort(), ['/heatRecirculation/matrixCPerKW', '/heatRecirculation/matrixCPerKW/0', '/redlineInletC']);
  }
});

await t.test('rackOfNode: explicit list first, then the rack label, else undefined', async (t) => {
  const topo = parseTopology(issueExample, 'issue');
  const cases: [string, Record<string, string> | undefined, string | undefined][] = [
    ['gpu-a01', undefined, 'r01'],
    ['gpu-a01', { 'topology.climatik.io/rack': 'r02' }, 'r01'],
    ['gpu-z09', { 'topology.climatik.io/rack': 'r02' }, 'r02'],
    ['gpu-z09', { 'topology.climatik.io/rack': 'r77' }, undefined],
    ['gpu-z09', { 'other/label': 'r02' }, undefined],
    ['gpu-z09', undefined, undefined],
  ];
  for (const [node, labels, want] of cases) t.equal(rackOfNode(topo, node, labels), want, `${node} ${JSON.stringify(labels)}`);
});

await t.test('bundled examples load', async (t) => {
  const measured = await loadTopologyFile(example('topology.yaml'));
  t.equal(measured.racks.length, 4);
  t.equal(measured.nodeRack.get('gpu-c02'), 'r03');
  const generated = await loadTopologyFile(example('topology-generated.yaml'));
  t.equal(generated.matrixSource, 'generated');
  t.equal(generated.recirculationCPerKW.length, 8);
});

await t.test('unreadable topology file is CLIMATIK_CONFIG_UNREADABLE naming the path', async (t) => {
  await t.rejects(loadTopologyFile('/nonexistent/topology.yaml'), { code: 'CLIMATIK_CONFIG_UNREADABLE', message: /nonexistent/ });
});

await t.test('read-only maps iterate like Maps', async (t) => {
  const topo = parseTopology(issueExample, 'issue');
  t.equal(topo.rackIndex.size, 2);
  t.same([...topo.rackIndex], [['r01', 0], ['r02', 1]]);
  t.same([...topo.rackIndex.entries()], [['r01', 0], ['r02', 1]]);
  t.same([...topo.nodeRack.values()], ['r01', 'r01']);
  t.ok(topo.nodeRack.has('gpu-a01'));
  const seen: string[] = [];
  topo.nodeRack.forEach((rack, node, map) => seen.push(`${node}=${rack}/${map.size}`));
  t.same(seen, ['gpu-a01=r01/2', 'gpu-a02=r01/2']);
});
