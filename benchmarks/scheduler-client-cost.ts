// Why the extender's /bind is slow: @kubernetes/client-node 1.4 builds a new https.Agent for every
// request (KubeConfig.applySecurityAuthentication → createAgent), so each API call opens a new TCP +
// TLS connection. Times N sequential pod reads (the same request path as a Binding) through
// client-node and through node:https with one keep-alive Agent, on the e2e apiserver.
// Run: node --import @tapjs/typescript/import benchmarks/scheduler-client-cost.ts   (env N=300)
import { CoreV1Api } from '@kubernetes/client-node';
import { readFile } from 'node:fs/promises';
import { Agent, request } from 'node:https';
import { join } from 'node:path';
import { startCluster } from '../test/e2e/cluster.js';
import { gpuPod } from '../test/e2e/pods.js';
import { median } from './scheduler-run.js';

const N = Number(process.env.N ?? 300);
const cluster = await startCluster({ defaultScheduler: false });
try {
  const core = cluster.kubeConfig().makeApiClient(CoreV1Api);
  await core.createNamespacedPod({ namespace: 'default', body: gpuPod({ name: 'probe', gpus: 1 }) });
  const ca = await readFile(join(cluster.stateDir, 'apiserver-certs', 'apiserver.crt'));
  const agent = new Agent({ keepAlive: true, ca });
  const url = new URL(`${cluster.apiUrl}/api/v1/namespaces/default/pods/probe`);
  const keepAliveGet = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const req = request(url, { agent, headers: { authorization: `Bearer ${cluster.token}` } }, (res) => {
        res.resume();
        res.on('end', () => resolve());
      });
      req.on('error', reject);
      req.end();
    });
  const time = async (label: string, call: () => Promise<unknown>): Promise<void> => {
    const ms: number[] = [];
    for (let i = 0; i < N; i++) {
      const t0 = performance.now();
      await call();
      ms.push(performance.now() - t0);
    }
    const cpu = process.cpuUsage();
    process.stdout.write(`${label.padEnd(34)} median ${median(ms).toFixed(2)} ms over ${N} calls (cpu so far ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms)\n`);
  };
  for (let round = 0; round < 2; round++) {
    await time('client-node readNamespacedPod', () => core.readNamespacedPod({ namespace: 'default', name: 'probe' }));
    await time('node:https keep-alive GET', keepAliveGet);
  }
  agent.destroy();
} finally {
  await cluster.stop();
}
