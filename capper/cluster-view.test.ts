import type { V1Node } from '@kubernetes/client-node';
import t from 'tap';
import { topology } from './decisions/test-fixtures.js';
import { buildTargets, gpuInfoOf, matchesSelector, selectScaledObjects, type ScaledObject } from './cluster-view.js';
import { ANNOTATIONS } from './policy-schema.js';
import { resolvePolicy } from './policy-validate.js';

void t.test('label selectors: matchLabels and every matchExpressions operator', async (t) => {
  const labels = { app: 'llm', tier: 'gpu' };
  const cases: [string, Parameters<typeof matchesSelector>[1], boolean][] = [
    ['matchLabels hit', { matchLabels: { app: 'llm' } }, true],
    ['matchLabels miss', { matchLabels: { app: 'web' } }, false],
    ['In', { matchExpressions: [{ key: 'tier', operator: 'In', values: ['gpu', 'cpu'] }] }, true],
    ['NotIn', { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['gpu'] }] }, false],
    ['Exists', { matchExpressions: [{ key: 'app', operator: 'Exists' }] }, true],
    ['DoesNotExist', { matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }, false],
  ];
  for (const [name, sel, want] of cases) t.equal(matchesSelector(labels, sel), want, name);
});

const so = (name: string, namespace = 'ml', labels: Record<string, string> = {}, annotations: Record<string, string> = {}): ScaledObject => ({
  metadata: { name, namespace, labels, annotations },
  spec: { scaleTargetRef: { name } },
});

void t.test('ScaledObjects are selected by name or label, only in the policy namespace', async (t) => {
  const all = [so('a'), so('b', 'ml', { team: 'x' }), so('a', 'other')];
  const byName = resolvePolicy({ capWatts: 1, targets: { scaledObjects: { names: ['a'] } } }, { namespace: 'ml', name: 'p' });
  t.same(selectScaledObjects(byName, all).map((s) => `${s.metadata.namespace}/${s.metadata.name}`), ['ml/a']);
  const byLabel = resolvePolicy({ capWatts: 1, targets: { scaledObjects: { labelSelector: { matchLabels: { team: 'x' } } } } }, { namespace: 'ml', name: 'p' });
  t.same(selectScaledObjects(byLabel, all).map((s) => s.metadata.name), ['b']);
});

void t.test('node agent report: the most restrictive GPU bounds; garbage is "no report"', async (t) => {
  const node = (raw: string): V1Node => ({ metadata: { name: 'n', annotations: { [ANNOTATIONS.gpuPowerLimitApplied]: raw } } });
  const raw = JSON.stringify({ gpus: [{ defaultW: 400, minW: 150, maxW: 450 }, { defaultW: 350, minW: 200, maxW: 400 }] });
  t.same(gpuInfoOf(node(raw)), { gpuCount: 2, defaultLimitW: 350, minLimitW: 200, maxLimitW: 400 });
  t.equal(gpuInfoOf(node('not json')), undefined);
  t.equal(gpuInfoOf(node('{"gpus": []}')), undefined);
  t.equal(gpuInfoOf({ metadata: { name: 'n' } }), undefined);
});

void t.test('targets: KEDA defaults, saved annotations, replicas per rack from the workload selector', async (t) => {
  const policy = resolvePolicy({ capWatts: 1, targets: { scaledObjects: { names: ['llm'] } } }, { namespace: 'ml', name: 'p' });
  const targets = buildTargets(policy, topology, {
    nodes: [{ metadata: { name: 'a1', annotations: { [ANNOTATIONS.gpuPowerLimitW]: '250' } } }, { metadata: { name: 'x9', labels: { 'topology.climatik.io/rack': 'rack-b' } } }],
    scaledObjects: [so('llm', 'ml', {}, { [ANNOTATIONS.originalMaxReplicaCount]: '12', [ANNOTATIONS.cappedMaxReplicaCount]: 'junk' })],
    deployments: [{ metadata: { name: 'llm', namespace: 'ml' }, spec: { selector: { matchLabels: { app: 'llm' } }, template: {} } }],
    pods: [
      { metadata: { name: 'p1', namespace: 'ml', labels: { app: 'llm' }, annotations: { [ANNOTATIONS.podDeletionCost]: '-100', [ANNOTATIONS.podDeletionCostBy]: 'ml/p' } }, spec: { nodeName: 'a1', containers: [] } },
      { metadata: { name: 'p2', namespace: 'ml', labels: { app: 'llm' } }, spec: { nodeName: 'x9', containers: [] } },
      { metadata: { name: 'p3', namespace: 'ml', labels: { app: 'llm' } }, spec: { nodeName: 'a1', containers: [] }, status: { phase: 'Succeeded' } },
      { metadata: { name: 'p4', namespace: 'ml', labels: { app: 'web' } }, spec: { nodeName: 'a1', containers: [] } },
    ],
  });
  t.same(targets.nodes.map((n) => [n.name, n.rackId, n.desiredLimitW]), [['a1', 'rack-a', 250], ['x9', 'rack-b', undefined]]);
  t.same(targets.scaledObjects, [{ namespace: 'ml', name: 'llm', minReplicaCount: 0, maxReplicaCount: 100, originalMaxReplicaCount: 12, cappedMaxReplicaCount: undefined, replicasByRack: { 'rack-a': 1, 'rack-b': 1 } }]);
  t.same(targets.pods.map((p) => [p.name, p.rackId, p.deletionCost]), [['p1', 'rack-a', -100], ['p2', 'rack-b', undefined]]);
});
