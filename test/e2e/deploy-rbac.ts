// What each Climatik service account must be able to do (the API calls its code makes, read from
// extender/kube, capper/, capper/node-agent and the kube-scheduler's needs) and a few things it must
// not, asked of the real authorizer with SubjectAccessReviews after deploy/base is applied.
import type { KubeConfig } from '@kubernetes/client-node';
import type { Test } from 'tap';
import { describeAccess, serviceAccountCan, type AccessCase } from './deploy-support.js';

const NS = 'climatik-system';
const APP = 'llm'; // any workload namespace
const KEDA = { group: 'keda.sh', resource: 'scaledobjects' };
const PCP = { group: 'climatik.io', resource: 'powercappingpolicies' };
const LEASE = { group: 'coordination.k8s.io', resource: 'leases' };

interface Expectations {
  readonly can: readonly AccessCase[];
  readonly cannot: readonly AccessCase[];
}

export const expectations: Record<string, Expectations> = {
  'climatik-extender': {
    can: [
      { verb: 'list', resource: 'nodes' },
      { verb: 'watch', resource: 'nodes' },
      { verb: 'list', resource: 'pods' },
      { verb: 'watch', resource: 'pods' },
      { verb: 'get', resource: 'pods', namespace: APP, name: 'llama-0' },
      { verb: 'create', resource: 'pods', subresource: 'binding', namespace: APP, name: 'llama-0' },
      { verb: 'get', resource: 'configmaps', namespace: NS, name: 'rack-topology' },
      { verb: 'list', resource: 'configmaps', namespace: NS, name: 'rack-topology' },
      { verb: 'watch', resource: 'configmaps', namespace: NS, name: 'rack-topology' },
      { verb: 'create', resource: 'events', namespace: NS },
      // The status page: read the capper's policies, never write them.
      { verb: 'list', ...PCP },
      { verb: 'get', ...PCP, namespace: APP, name: 'rack-a-cap' },
    ],
    cannot: [
      { verb: 'update', ...PCP, namespace: APP, name: 'rack-a-cap' },
      { verb: 'patch', ...PCP, namespace: APP, name: 'rack-a-cap' },
      { verb: 'delete', ...PCP, namespace: APP, name: 'rack-a-cap' },
      { verb: 'update', ...PCP, subresource: 'status', namespace: APP, name: 'rack-a-cap' },
      { verb: 'patch', ...PCP, subresource: 'status', namespace: APP, name: 'rack-a-cap' },
      { verb: 'watch', ...PCP },
      { verb: 'delete', resource: 'nodes', name: 'gpu-a01' },
      { verb: 'patch', resource: 'nodes', name: 'gpu-a01' },
      { verb: 'create', resource: 'pods', namespace: APP },
      { verb: 'delete', resource: 'pods', namespace: APP, name: 'llama-0' },
      { verb: 'list', resource: 'configmaps', namespace: NS },
      { verb: 'get', resource: 'configmaps', namespace: NS, name: 'climatik-extender-config' },
      { verb: 'get', resource: 'configmaps', namespace: APP, name: 'rack-topology' },
      { verb: 'list', resource: 'secrets', namespace: NS },
      { verb: 'patch', ...KEDA, namespace: APP, name: 'llama' },
    ],
  },
  'climatik-scheduler': {
    can: [
      { verb: 'get', ...LEASE, namespace: 'kube-system', name: 'climatik-scheduler' },
      { verb: 'update', ...LEASE, namespace: 'kube-system', name: 'climatik-scheduler' },
      { verb: 'create', ...LEASE, namespace: 'kube-system' },
      { verb: 'list', resource: 'nodes' },
      { verb: 'watch', resource: 'pods' },
      { verb: 'create', resource: 'pods', subresource: 'binding', namespace: APP, name: 'llama-0' },
      { verb: 'get', resource: 'configmaps', namespace: 'kube-system', name: 'extension-apiserver-authentication' },
      { verb: 'list', resource: 'persistentvolumes' },
    ],
    cannot: [
      { verb: 'update', ...LEASE, namespace: 'kube-system', name: 'kube-controller-manager' },
      { verb: 'delete', resource: 'nodes', name: 'gpu-a01' },
      { verb: 'list', resource: 'secrets', namespace: NS },
      { verb: 'patch', ...PCP, namespace: NS, name: 'all-racks-observe' },
    ],
  },
  'climatik-capper': {
    can: [
      { verb: 'list', ...PCP },
      { verb: 'watch', ...PCP },
      { verb: 'patch', ...PCP, namespace: APP, name: 'rack-a-cap' },
      { verb: 'patch', ...PCP, subresource: 'status', namespace: APP, name: 'rack-a-cap' },
      { verb: 'update', ...PCP, subresource: 'finalizers', namespace: APP, name: 'rack-a-cap' },
      { verb: 'watch', ...KEDA },
      { verb: 'patch', ...KEDA, namespace: APP, name: 'llama' },
      { verb: 'patch', resource: 'nodes', name: 'gpu-a01' },
      { verb: 'watch', resource: 'nodes' },
      { verb: 'patch', resource: 'pods', namespace: APP, name: 'llama-0' },
      // The leader label on its own Pod (capper/leader-label.ts): covered by the same pods rule.
      { verb: 'patch', resource: 'pods', namespace: NS, name: 'climatik-capper-7d9f5c-x2k4q' },
      { verb: 'list', group: 'apps', resource: 'deployments' },
      { verb: 'create', resource: 'events', namespace: APP },
      { verb: 'create', ...LEASE, namespace: NS },
      { verb: 'get', ...LEASE, namespace: NS, name: 'climatik-capper' },
      { verb: 'update', ...LEASE, namespace: NS, name: 'climatik-capper' },
    ],
    cannot: [
      { verb: 'delete', resource: 'nodes', name: 'gpu-a01' },
      { verb: 'update', resource: 'nodes', name: 'gpu-a01' },
      { verb: 'delete', ...KEDA, namespace: APP, name: 'llama' },
      { verb: 'create', resource: 'pods', namespace: APP },
      { verb: 'delete', resource: 'pods', namespace: APP, name: 'llama-0' },
      { verb: 'patch', group: 'apps', resource: 'deployments', namespace: APP, name: 'llama' },
      { verb: 'create', resource: 'pods', subresource: 'binding', namespace: APP, name: 'llama-0' },
      { verb: 'update', ...LEASE, namespace: NS, name: 'other-lease' },
      { verb: 'update', ...LEASE, namespace: 'kube-system', name: 'climatik-scheduler' },
      { verb: 'list', resource: 'secrets', namespace: APP },
      // The Slack Secret reaches it as a mounted volume (the kubelet reads it), never via the API.
      { verb: 'get', resource: 'secrets', namespace: NS, name: 'climatik-slack' },
      { verb: 'delete', ...PCP, namespace: APP, name: 'rack-a-cap' },
    ],
  },
  'climatik-node-agent': {
    can: [
      { verb: 'get', resource: 'nodes', name: 'gpu-a01' },
      { verb: 'list', resource: 'nodes', name: 'gpu-a01' },
      { verb: 'watch', resource: 'nodes', name: 'gpu-a01' },
      { verb: 'patch', resource: 'nodes', name: 'gpu-a01' },
    ],
    cannot: [
      { verb: 'patch', ...KEDA, namespace: APP, name: 'llama' },
      { verb: 'delete', resource: 'nodes', name: 'gpu-a01' },
      { verb: 'patch', resource: 'nodes', subresource: 'status', name: 'gpu-a01' },
      { verb: 'list', resource: 'pods' },
      { verb: 'patch', resource: 'pods', namespace: APP, name: 'llama-0' },
      { verb: 'list', resource: 'secrets', namespace: NS },
    ],
  },
};

export async function rbacChecks(t: Test, kc: KubeConfig): Promise<void> {
  let checks = 0;
  for (const [serviceAccount, e] of Object.entries(expectations)) {
    await t.test(serviceAccount, async (t) => {
      for (const c of e.can) t.equal(await serviceAccountCan(kc, NS, serviceAccount, c), true, `can ${describeAccess(c)}`);
      for (const c of e.cannot) t.equal(await serviceAccountCan(kc, NS, serviceAccount, c), false, `cannot ${describeAccess(c)}`);
      checks += e.can.length + e.cannot.length;
    });
  }
  // The namespace's default account (used by anything that forgets serviceAccountName) gets nothing.
  t.equal(await serviceAccountCan(kc, NS, 'default', { verb: 'list', resource: 'nodes' }), false, 'default account cannot list nodes');
  t.comment(`RBAC: ${checks + 1} SubjectAccessReviews`);
}
