// Runs the real `climatik extender` (cluster mode: kubeconfig, topology ConfigMap, Prometheus) as a
// child process on loopback, exactly as deployed: `node bin/climatik.js extender --config FILE`.
// Needs `npm run build` (dist/), which `npm ci` runs through `prepare`.
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { repoRoot } from './cluster.js';
import { probe, scrapeMetric } from './http-probe.js';
import { freePort, startProcess, waitUntil, type ManagedProcess } from './processes.js';

export interface ExtenderProcessOptions {
  readonly kubeconfigPath: string;
  readonly prometheusUrl: string;
  /** Where the config file and the log go (the cluster's state dir). */
  readonly dir: string;
  /** Merged over the generated config (listen, telemetry.prometheusUrl, logLevel). */
  readonly config?: Readonly<Record<string, unknown>>;
  readonly startTimeoutMs?: number;
  /** Listen here instead of a fresh free port (a restart keeps the scheduler's urlPrefix valid). */
  readonly port?: number;
}

export interface ExtenderProcess {
  /** Base URL (the scheduler config's urlPrefix). */
  readonly url: string;
  readonly process: ManagedProcess;
  /** POSTs a verb the way kube-scheduler does and returns the parsed answer. */
  call(verb: 'filter' | 'prioritize', body: unknown): Promise<unknown>;
  /** Sum of a counter in /metrics over the series whose labels include `match`. */
  counter(name: string, match?: Readonly<Record<string, string>>): Promise<number>;
  stop(): Promise<void>;
}

export async function startExtenderProcess(opts: ExtenderProcessOptions): Promise<ExtenderProcess> {
  const launcher = join(repoRoot, 'bin', 'climatik.js');
  if (!existsSync(join(repoRoot, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npm run build` first');
  const port = opts.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const config = {
    logLevel: 'warn',
    ...opts.config,
    listen: { address: '127.0.0.1', port },
    telemetry: { prometheusUrl: opts.prometheusUrl, ...(opts.config?.telemetry as Record<string, unknown> | undefined) },
  };
  const configPath = join(opts.dir, 'extender.yaml');
  await writeFile(configPath, stringify(config));
  const child = startProcess('climatik-extender', process.execPath, [launcher, 'extender', '--config', configPath, '--kubeconfig', opts.kubeconfigPath], join(opts.dir, 'climatik-extender.log'));
  await waitUntil('climatik extender /readyz', async () => (await probe(`${url}/readyz`)).status === 200, {
    timeoutMs: opts.startTimeoutMs ?? 60_000,
    process: child,
    intervalMs: 250,
  });
  return {
    url,
    process: child,
    async call(verb, body) {
      const res = await fetch(`${url}/${verb}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      if (res.status !== 200) throw new Error(`POST /${verb}: HTTP ${res.status} ${await res.text()}`);
      return res.json();
    },
    counter: (name, match = {}) => scrapeMetric(`${url}/metrics`, name, match),
    stop: () => child.stop(),
  };
}
