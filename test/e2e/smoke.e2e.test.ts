// Smoke test of the control-plane harness itself: a real etcd + kube-apiserver + default
// kube-scheduler come up, GPU nodes made of plain API objects are schedulable, the scheduler
// honours nvidia.com/gpu allocatable, and stop() leaves no process behind.
import { CoreV1Api, VersionApi } from '@kubernetes/client-node';
import t from 'tap';
import { startCluster } from './cluster.js';
import { createGpuNode } from './nodes.js';
import { createPod, gpuPod, podEvents, waitForVerdict } from './pods.js';

function processGone(pid: number | undefined): boolean {
  if (pid === undefined) return true;
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
}

void t.test('control plane with the default scheduler', async (t) => {
  const cluster = await startCluster();
  t.teardown(() => cluster.stop());
  const kc = cluster.kubeConfig();
  const core = kc.makeApiClient(CoreV1Api);

  await t.test('apiserver reports the pinned release', async (t) => {
    const version = await kc.makeApiClient(VersionApi).getCode();
    t.match(version.gitVersion, /^v1\.35\.\d+$/, 'version stamps applied at build time');
  });

  await t.test('three GPU nodes in two racks are Ready with GPUs allocatable', async (t) => {
    const specs = [
      { name: 'gpu-a1', rack: 'rack-a', gpus: 8, cpu: '64', memory: '512Gi' },
      { name: 'gpu-a2', rack: 'rack-a', gpus: 8, cpu: '64', memory: '512Gi' },
      { name: 'gpu-b1', rack: 'rack-b', gpus: 4, cpu: '32', memory: '256Gi' },
    ];
    for (const spec of specs) await createGpuNode(core, spec);
    const nodes = (await core.listNode()).items;
    t.same(nodes.map((n) => n.metadata?.name).sort(), ['gpu-a1', 'gpu-a2', 'gpu-b1']);
    for (const spec of specs) {
      const node = nodes.find((n) => n.metadata?.name === spec.name);
      t.equal(node?.status?.allocatable?.['nvidia.com/gpu'], String(spec.gpus), `${spec.name} allocatable GPUs`);
      t.equal(node?.metadata?.labels?.['topology.climatik.io/rack'], spec.rack, `${spec.name} rack label`);
      t.equal(node?.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True', `${spec.name} Ready`);
      t.same(node?.spec?.taints ?? [], [], `${spec.name} carries no not-ready taint`);
    }
  });

  await t.test('a one-GPU pod is bound to one of the nodes', async (t) => {
    await createPod(core, gpuPod({ name: 'one-gpu', gpus: 1 }));
    const verdict = await waitForVerdict(core, 'default', 'one-gpu');
    t.ok(verdict.bound, 'bound');
    if (verdict.bound) t.ok(['gpu-a1', 'gpu-a2', 'gpu-b1'].includes(verdict.nodeName), `on a known node (${verdict.nodeName})`);
  });

  await t.test('a pod asking for more GPUs than any node has stays Pending as Unschedulable', async (t) => {
    await createPod(core, gpuPod({ name: 'sixteen-gpus', gpus: 16 }));
    const verdict = await waitForVerdict(core, 'default', 'sixteen-gpus');
    t.same(verdict.bound, false);
    if (!verdict.bound) {
      t.equal(verdict.reason, 'Unschedulable');
      t.match(verdict.message, /Insufficient nvidia\.com\/gpu/);
    }
    const events = await podEvents(core, 'default', 'sixteen-gpus');
    t.ok(events.some((e) => e.reason === 'FailedScheduling'), 'FailedScheduling event recorded');
  });

  await t.test('a pod for a scheduler that is not running is left alone', async (t) => {
    await createPod(core, gpuPod({ name: 'for-climatik', gpus: 1, schedulerName: 'climatik-scheduler' }));
    // The bound pod above proves the default scheduler is live; give it a cycle, then check.
    await createPod(core, gpuPod({ name: 'marker', gpus: 1 }));
    t.ok((await waitForVerdict(core, 'default', 'marker')).bound, 'marker pod bound');
    const pod = await core.readNamespacedPod({ namespace: 'default', name: 'for-climatik' });
    t.equal(pod.spec?.nodeName, undefined, 'not bound by the default scheduler');
  });

  await t.test('stop() ends every process', async (t) => {
    const pids = cluster.processes().map((p) => p.child.pid);
    t.equal(pids.length, 3, 'etcd, kube-apiserver, kube-scheduler');
    await cluster.stop();
    t.ok(cluster.processes().every((p) => !p.alive()), 'all exited');
    t.ok(pids.every(processGone), 'no pid left');
  });
});
