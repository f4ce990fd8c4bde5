// Unit tests of the thin Kubernetes layer with fakes (the real API server is the e2e harness's job).
import { Agent as HttpsAgent } from 'node:https';
import { ApiException, HttpMethod, RequestContext, type V1ConfigMap, type V1Pod } from '@kubernetes/client-node';
import t from 'tap';
import { ManualClock, silentLogger } from '../../common/index.js';
import { TOPOLOGY_YAML } from '../testing/fixtures.js';
import { TopologyStore } from '../topology-store.js';
import { KubernetesBinder } from './binder.js';
import { keepRunning, type InformerLike } from './informer.js';
import { KeepAliveAuthentication } from './keep-alive.js';
import { applyConfigMap, configMapEvents, watchTopology, type EventRecorder } from './topology-watcher.js';

type BindingCall = { name: string; namespace: string; body: { target?: { name?: string }; metadata?: { uid?: string } } };

function fakeCore(opts: { conflictWith?: { nodeName?: string; uid?: string }; fail?: Error }) {
  const calls: BindingCall[] = [];
  return {
    calls,
    async createNamespacedPodBinding(req: BindingCall) {
      calls.push(req);
      if (opts.fail !== undefined) throw opts.fail;
      if (opts.conflictWith !== undefined) throw new ApiException(409, 'Conflict', { message: 'pod is already assigned' }, {});
      return req.body;
    },
    async readNamespacedPod(): Promise<V1Pod> {
      return { metadata: { uid: opts.conflictWith?.uid ?? 'uid-1' }, spec: { containers: [], ...(opts.conflictWith?.nodeName === undefined ? {} : { nodeName: opts.conflictWith.nodeName }) } };
    },
  };
}

const target = { name: 'llm-0', namespace: 'inference', uid: 'uid-1', node: 'gpu-1a' };

void t.test('binder: creates a Binding to the node with the pod UID as precondition', async (t) => {
  const core = fakeCore({});
  // The fake implements the two methods the binder uses; the cast narrows it to that API.
  t.equal(await new KubernetesBinder(core as never).bind(target), 'bound');
  t.match(core.calls[0], { name: 'llm-0', namespace: 'inference', body: { target: { name: 'gpu-1a' }, metadata: { uid: 'uid-1' } } });
});

void t.test('binder: idempotent on retry — conflict on the same node is success, elsewhere an error', async (t) => {
  t.equal(await new KubernetesBinder(fakeCore({ conflictWith: { nodeName: 'gpu-1a' } }) as never).bind(target), 'already-bound');
  await t.rejects(new KubernetesBinder(fakeCore({ conflictWith: { nodeName: 'gpu-2a' } }) as never).bind(target), /already bound to gpu-2a/);
  await t.rejects(new KubernetesBinder(fakeCore({ conflictWith: { nodeName: 'gpu-1a', uid: 'uid-2' } }) as never).bind(target), /recreated/);
  await t.rejects(
    new KubernetesBinder(fakeCore({ fail: new ApiException(403, 'Forbidden', { message: 'cannot create pods/binding' }, {}) }) as never).bind(target),
    /API server answered 403: cannot create pods\/binding/,
  );
  await t.rejects(new KubernetesBinder(fakeCore({ fail: new Error('ECONNREFUSED') }) as never).bind(target), /ECONNREFUSED/);
});

class FakeInformer<T> implements InformerLike<T> {
  readonly handlers: Record<string, ((x: never) => void)[]> = {};
  starts = 0;
  stops = 0;
  failStarts = 0;
  on(verb: string, cb: (x: never) => void): void {
    (this.handlers[verb] ??= []).push(cb);
  }
  emit(verb: string, arg?: unknown): void {
    for (const h of this.handlers[verb] ?? []) h(arg as never);
  }
  async start(): Promise<void> {
    this.starts++;
    if (this.failStarts > 0) {
      this.failStarts--;
      throw new Error('connection refused');
    }
    this.emit('connect');
  }
  async stop(): Promise<void> {
    this.stops++;
  }
  list(): readonly T[] {
    return [];
  }
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Waits for a condition (event-driven code under a loaded CI machine): not a time limit, a patience limit. */
async function until(cond: () => boolean, patienceMs = 10_000): Promise<boolean> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > patienceMs) return false;
    await wait(2);
  }
  return true;
}

void t.test('informer keeper: restarts with backoff after errors and failed starts, stops cleanly', async (t) => {
  const informer = new FakeInformer<V1Pod>();
  informer.failStarts = 2;
  let restarts = 0;
  const running = keepRunning(informer, { name: 'pods', logger: silentLogger(), initialBackoffMs: 2, maxBackoffMs: 8, onRestart: () => restarts++ });
  t.ok(await until(() => informer.starts === 3), 'two failed starts, then running');
  informer.emit('error', new Error('watch closed: 500'));
  informer.emit('error', new Error('duplicate error while a restart is pending'));
  t.ok(await until(() => informer.starts === 4), 'restarted once after the watch error');
  t.equal(restarts, 3, 'one restart per failure, the duplicate error ignored');
  await running.stop();
  informer.emit('error', new Error('after stop'));
  await wait(30);
  t.equal(informer.starts, 4, 'no restart after stop');
  t.equal(informer.stops, 1);
});

void t.test('informer keeper: periodic relist heals a silently stalled watch', async (t) => {
  const informer = new FakeInformer<V1Pod>();
  const running = keepRunning(informer, { name: 'nodes', logger: silentLogger(), resyncMs: 10 });
  t.ok(await until(() => informer.starts >= 3 && informer.stops >= 2), `restarted ${informer.starts} times`);
  await running.stop();
});

function configMap(text: string | undefined, rv: string): V1ConfigMap {
  return { metadata: { name: 'rack-topology', namespace: 'climatik-system', uid: 'cm-uid', resourceVersion: rv }, data: text === undefined ? {} : { 'topology.yaml': text } };
}

void t.test('topology ConfigMap: valid edit swaps, invalid edit keeps the last good and records a Warning Event', async (t) => {
  const store = new TopologyStore();
  const events: { reason: string; message: string; rv: string | undefined }[] = [];
  const recorder: EventRecorder = { warn: async (cm, reason, message) => void events.push({ reason, message, rv: cm.metadata?.resourceVersion }) };
  const results: string[] = [];
  const informer = new FakeInformer<V1ConfigMap>();
  watchTopology({ informer, store, events: recorder, logger: silentLogger(), onResult: (r) => results.push(r) });
  informer.emit('add', configMap(TOPOLOGY_YAML, '1'));
  t.equal(store.current()?.racks.length, 4, 'the store applies synchronously');
  informer.emit('update', configMap(TOPOLOGY_YAML.replace('redlineInletC: 27', 'redlineInletC: 10'), '2'));
  t.equal(store.current()?.redlineInletC, 27, 'red line below supply rejected, last good kept');
  t.ok(await until(() => events.length === 1), 'Event recorded');
  t.equal(events.length, 1);
  t.equal(events[0]?.reason, 'TopologyRejected');
  t.equal(events[0]?.rv, '2');
  t.match(events[0]?.message, /previous topology stays in effect/);
  informer.emit('update', configMap(undefined, '3'));
  t.ok(await until(() => events.length === 2));
  t.match(events[1]?.message, /no topology document/);
  informer.emit('update', configMap(TOPOLOGY_YAML, '4'));
  informer.emit('delete', configMap(TOPOLOGY_YAML, '5'));
  t.same(results, ['accepted', 'rejected', 'rejected', 'unchanged']);
  t.equal(store.current()?.racks.length, 4, 'deleting the ConfigMap keeps the topology');
});

void t.test('topology ConfigMap: a failing Event write is logged, not thrown', async (t) => {
  const store = new TopologyStore();
  const r = await applyConfigMap(configMap('racks: [', '9'), { store, events: { warn: async () => { throw new Error('forbidden'); } }, logger: silentLogger() });
  t.equal(r.accepted, false);
});

void t.test('Event body: Warning on the ConfigMap, message capped at the API limit', async (t) => {
  const bodies: unknown[] = [];
  const core = { createNamespacedEvent: async (req: { namespace: string; body: unknown }) => (bodies.push(req), req.body) };
  await configMapEvents(core as never, new ManualClock(Date.parse('2025-06-01T10:00:00Z')), 'extender-0').warn(configMap('', '7'), 'TopologyRejected', 'x'.repeat(5000));
  t.match(bodies[0], {
    namespace: 'climatik-system',
    body: {
      type: 'Warning',
      reason: 'TopologyRejected',
      involvedObject: { kind: 'ConfigMap', name: 'rack-topology', uid: 'cm-uid', resourceVersion: '7' },
      source: { component: 'climatik-extender' },
      reportingInstance: 'extender-0',
      count: 1,
    },
  });
  t.equal((bodies[0] as { body: { message: string } }).body.message.length, 1000);
});

void t.test('informer keeper: reports a sync after a start that listed without error, not after a failed list', async (t) => {
  const informer = new FakeInformer<V1Pod>();
  let syncs = 0;
  // client-node's start() resolves even when the list failed (it reports through 'error'): simulate that.
  let failNextList = true;
  const realStart = informer.start.bind(informer);
  informer.start = async () => {
    if (failNextList) {
      failNextList = false;
      informer.starts++;
      informer.emit('error', new Error('list: 503'));
      return;
    }
    await realStart();
  };
  const running = keepRunning(informer, { name: 'nodes', logger: silentLogger(), initialBackoffMs: 2, onSynced: () => syncs++ });
  t.ok(await until(() => syncs === 1), 'synced after the retry');
  t.equal(informer.starts, 2, 'the failed list did not count as a sync');
  await running.stop();
});

void t.test('keep-alive: every API call reuses one pooled agent; a new TLS identity gets a new pool; proxies untouched', async (t) => {
  let cert = 'client-cert-1';
  const proxy = new (class ProxyAgent extends HttpsAgent {})();
  let useProxy = false;
  // What KubeConfig.applySecurityAuthentication does in client-node 1.4: a brand-new agent per request.
  const kc = {
    async applySecurityAuthentication(ctx: RequestContext) {
      ctx.setHeaderParam('Authorization', 'Bearer t');
      ctx.setAgent(useProxy ? proxy : new HttpsAgent({ ca: 'ca', cert, key: 'k' }));
    },
  };
  const auth = new KeepAliveAuthentication(kc);
  const call = async () => {
    const ctx = new RequestContext('https://127.0.0.1:6443/api/v1/pods', HttpMethod.GET);
    await auth.applySecurityAuthentication(ctx);
    return ctx;
  };
  const first = await call();
  const agent = first.getAgent();
  t.ok(agent instanceof HttpsAgent && agent.options.keepAlive === true, 'keep-alive agent');
  t.equal(first.getHeaders().Authorization, 'Bearer t', 'authentication from the kubeconfig kept');
  t.match((agent as HttpsAgent).options, { ca: 'ca', cert: 'client-cert-1', key: 'k' }, 'TLS options carried over');
  t.equal((await call()).getAgent(), agent, 'second call: same pool');
  cert = 'client-cert-2';
  const rotated = (await call()).getAgent();
  t.not(rotated, agent, 'rotated client certificate: new pool');
  t.match((rotated as HttpsAgent).options, { cert: 'client-cert-2' });
  useProxy = true;
  t.equal((await call()).getAgent(), proxy, 'proxy agent left alone');
  auth.destroy();
});
