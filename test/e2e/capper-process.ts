// Runs the real `climatik capper` as a child process, exactly as deployed:
// `node bin/climatik.js capper --config FILE` (needs `npm run build`), with KUBECONFIG, POD_NAME
// (the lease identity) and optionally POD_NAMESPACE (the leader label's Pod) in its environment,
// plus the pieces its e2e suites share: CRD install, a node agent's GPU report written straight
// onto a Node, /metrics reading.
import { ApiextensionsV1Api, loadYaml, type CoreV1Api, type KubeConfig, type V1CustomResourceDefinition } from '@kubernetes/client-node';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { mergePatch } from '../../capper/kube/patch.js';
import { ANNOTATIONS } from '../../capper/policy-schema.js';
import { repoRoot } from './cluster.js';
import { probe, scrapeMetric } from './http-probe.js';
import { freePort, startProcess, waitUntil, type ManagedProcess } from './processes.js';

export async function installCrd(kc: KubeConfig, file: string): Promise<void> {
  const ext = kc.makeApiClient(ApiextensionsV1Api);
  // loadYaml maps x-kubernetes-* keys onto the client's model; a plain YAML parse would drop them.
  const body = loadYaml<V1CustomResourceDefinition>(await readFile(join(repoRoot, file), 'utf8'));
  await ext.createCustomResourceDefinition({ body });
  const name = body.metadata?.name ?? '';
  await waitUntil(`CRD ${name} established`, async () => {
    const crd = await ext.readCustomResourceDefinition({ name });
    return crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ?? false;
  }, { timeoutMs: 30_000 });
}

/**
 * What a node agent reports after reading its GPUs (format of capper/node-agent/apply.ts): the capper
 * needs each GPU's default and min/max limit to plan. These suites test the capper, not the agent
 * (capper.e2e.test.ts runs real agents on the fake nvidia-smi), so the report is written directly.
 */
export async function writeAgentReport(core: CoreV1Api, node: string, gpus: number, w = { defaultW: 400, minW: 150, maxW: 400 }): Promise<void> {
  const report = {
    desiredW: null,
    gpus: Array.from({ length: gpus }, (_, index) => ({ index, uuid: `GPU-${node}-${index}`, targetW: w.defaultW, enforcedW: w.defaultW, ...w })),
    changed: 0,
    errors: [],
  };
  await core.patchNode({ name: node, body: { metadata: { annotations: { [ANNOTATIONS.gpuPowerLimitApplied]: JSON.stringify(report) } } } }, mergePatch);
}

export interface CapperProcessOptions {
  readonly name: string;
  readonly kubeconfigPath: string;
  /** Where the config file and the log go. */
  readonly dir: string;
  /** The capper config (capper/config.ts) without host/port, which are set here. */
  readonly config: Readonly<Record<string, unknown>>;
  readonly logLevel?: string;
  /** POD_NAMESPACE: with it (and POD_NAME = name) the capper labels the Pod `name` there while it leads. */
  readonly podNamespace?: string;
}

export interface CapperProcess {
  readonly name: string;
  readonly url: string;
  readonly process: ManagedProcess;
  /** Sum of a metric in /metrics over the series whose labels include `match`. */
  metric(name: string, match?: Readonly<Record<string, string>>): Promise<number>;
  log(): Promise<string>;
  /** SIGTERM (graceful: releases the lease). */
  stop(): Promise<void>;
  /** SIGKILL (a crash: the lease is left to expire). */
  kill(): Promise<void>;
}

export async function startCapperProcess(opts: CapperProcessOptions): Promise<CapperProcess> {
  const launcher = join(repoRoot, 'bin', 'climatik.js');
  if (!existsSync(join(repoRoot, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npm run build` first');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const configPath = join(opts.dir, `${opts.name}.yaml`);
  await writeFile(configPath, stringify({ ...opts.config, host: '127.0.0.1', port }));
  const logPath = join(opts.dir, `${opts.name}.log`);
  // env -u NODE_OPTIONS: tap's loader hooks must not follow into the compiled CLI.
  const child = startProcess(opts.name, '/usr/bin/env', [
    '-u', 'NODE_OPTIONS', `KUBECONFIG=${opts.kubeconfigPath}`, `POD_NAME=${opts.name}`, ...(opts.podNamespace === undefined ? [] : [`POD_NAMESPACE=${opts.podNamespace}`]), `CLIMATIK_LOG_LEVEL=${opts.logLevel ?? 'info'}`,
    process.execPath, launcher, 'capper', '--config', configPath,
  ], logPath);
  await waitUntil(`${opts.name} /readyz`, async () => (await probe(`${url}/readyz`)).status === 200, { timeoutMs: 60_000, process: child, intervalMs: 200 });
  return {
    name: opts.name,
    url,
    process: child,
    metric: (name, match = {}) => scrapeMetric(`${url}/metrics`, name, match),
    log: () => readFile(logPath, 'utf8'),
    stop: () => child.stop(),
    async kill() {
      child.child.kill('SIGKILL');
      await child.exited;
    },
  };
}

/** A RackTopology document; nodes are listed per rack (the capper's Prometheus source maps by list). */
export function capperTopologyYaml(racks: readonly { id: string; powerBudgetW: number; nodes: readonly string[] }[]): string {
  return stringify({
    apiVersion: 'climatik.io/v1alpha1',
    kind: 'RackTopology',
    supplyTemperatureC: 18,
    redlineInletC: 27,
    racks: racks.map((r) => ({ id: r.id, powerBudgetW: r.powerBudgetW, nodes: [...r.nodes] })),
    heatRecirculation: { matrixCPerKW: racks.map((_, i) => racks.map((__, j) => (i === j ? 0.2 : 0.05))) },
  });
}
