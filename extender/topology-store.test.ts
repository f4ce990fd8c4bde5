import t from 'tap';
import { TOPOLOGY_YAML } from './testing/fixtures.js';
import { TopologyStore } from './topology-store.js';

void t.test('hot reload: a valid edit swaps in, an invalid one keeps the last good topology', async (t) => {
  const store = new TopologyStore();
  const seen: number[] = [];
  store.onChange((topo) => seen.push(topo.racks[0]?.powerBudgetW ?? -1));

  const first = store.apply(TOPOLOGY_YAML, 'configmap climatik/rack-topology');
  t.match(first, { accepted: true, changed: true, version: 1 });
  t.equal(store.current()?.racks.length, 4);

  const same = store.apply(TOPOLOGY_YAML, 'configmap climatik/rack-topology');
  t.match(same, { accepted: true, changed: false, version: 1 }, 'a resync with the same text is not a change');

  const raised = store.apply(TOPOLOGY_YAML.replace('{ id: r1, powerBudgetW: 10000', '{ id: r1, powerBudgetW: 14000'), 'cm');
  t.match(raised, { accepted: true, changed: true, version: 2 });
  t.equal(store.current()?.racks[0]?.powerBudgetW, 14_000);

  const cases: [string, string, RegExp][] = [
    ['YAML syntax error', 'racks: [1, 2', /.+/],
    ['negative budget', TOPOLOGY_YAML.replace('powerBudgetW: 10000, nameplateW: 12000, nodes: [gpu-2a]', 'powerBudgetW: -5, nameplateW: 12000, nodes: [gpu-2a]'), /\/racks\/1\/powerBudgetW/],
    ['matrix the wrong size', TOPOLOGY_YAML.replace('    - [0.02, 0.02, 0.1, 0.3]\n', ''), /heatRecirculation|matrix/],
    ['empty document', '   ', /^$/],
  ];
  for (const [name, text, path] of cases) {
    const r = store.apply(text, 'cm');
    t.equal(r.accepted, false, name);
    if (!r.accepted) {
      t.ok(r.issues.length > 0, `${name}: issues listed`);
      t.ok(r.issues.some((i) => path.test(i.path) || path.test(i.message)), `${name}: ${JSON.stringify(r.issues)}`);
    }
    t.equal(store.current()?.racks[0]?.powerBudgetW, 14_000, `${name}: last good topology kept`);
    t.equal(store.version, 2);
  }
  t.same(seen, [10_000, 14_000], 'listeners hear accepted changes only');
});

void t.test('no topology document at all is a rejection, not a crash', async (t) => {
  const store = new TopologyStore();
  const missing: string | undefined = undefined; // a ConfigMap without the key
  t.match(store.apply(missing, 'cm'), { accepted: false, message: /no topology document/ });
  t.equal(store.current(), undefined);
});
