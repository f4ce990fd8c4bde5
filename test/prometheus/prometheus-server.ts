// Starts a REAL Prometheus server (Debian's `prometheus`, installed by scripts/install-system-deps.sh)
// on 127.0.0.1 with a free port, a temp config and data dir and a short scrape interval, for the
// telemetry integration tests and benchmarks. Never relies on the Debian service (no systemd here).
// `stop()` kills it and removes the temp dir; it is also killed if the test process exits early.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, terminateChild, waitHttpReady } from '../support/loopback.js';

export interface ScrapeJob {
  readonly name: string;
  readonly targets: readonly string[];
  /** Keep the exporter's labels on conflict (Kepler's `instance`); false renames them `exported_*`. */
  readonly honorLabels?: boolean;
  /** Target labels, e.g. the exporter pod's own `pod`/`namespace` (what makes DCGM's become `exported_pod`). */
  readonly labels?: Readonly<Record<string, string>>;
}

export interface PrometheusOptions {
  readonly jobs: readonly ScrapeJob[];
  readonly scrapeIntervalMs?: number;
  readonly binary?: string;
}

export interface PrometheusServer {
  readonly url: string;
  readonly version: string;
  stop(): Promise<void>;
}

export function prometheusBinary(): string {
  return process.env.PROMETHEUS_BIN ?? 'prometheus';
}

export async function startPrometheus(opts: PrometheusOptions): Promise<PrometheusServer> {
  const binary = opts.binary ?? prometheusBinary();
  const version = await prometheusVersion(binary);
  const dir = await mkdtemp(join(tmpdir(), 'climatik-prom-'));
  const intervalS = Math.max(1, Math.round((opts.scrapeIntervalMs ?? 1000) / 1000));
  await writeFile(join(dir, 'prometheus.yml'), renderConfig(opts.jobs, intervalS));
  let lastError: unknown;
  // A free port can be taken between probing and binding: retry a few times.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const child = spawn(
      binary,
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    const killOnExit = (): void => {
      child.kill('SIGKILL');
    };
    process.once('exit', killOnExit);
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitHttpReady(`${url}/-/ready`, child, 30_000, () => stderr);
      return {
        url,
        version,
        async stop() {
          process.removeListener('exit', killOnExit);
          await terminateChild(child);
          await rm(dir, { recursive: true, force: true });
        },
      };
    } catch (err) {
      lastError = err;
      process.removeListener('exit', killOnExit);
      await terminateChild(child);
    }
  }
  await rm(dir, { recursive: true, force: true });
  throw new Error(`prometheus did not start: ${String(lastError)}`);
}

function renderConfig(jobs: readonly ScrapeJob[], intervalS: number): string {
  // JSON is valid YAML; Prometheus reads it as its config.
  return JSON.stringify({
    global: { scrape_interval: `${intervalS}s`, scrape_timeout: `${intervalS}s`, evaluation_interval: `${intervalS}s` },
    scrape_configs: jobs.map((j) => ({
      job_name: j.name,
      honor_labels: j.honorLabels ?? false,
      static_configs: [{ targets: j.targets, labels: j.labels ?? {} }],
    })),
  });
}

async function prometheusVersion(binary: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, ['--version'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', (err) =>
      reject(new Error(`cannot run ${binary} (install it with scripts/install-system-deps.sh): ${err.message}`)),
    );
    child.on('close', () => resolve(/version (\S+)/.exec(out)?.[1] ?? 'unknown'));
  });
}

/** Polls an instant query until `accept` says yes (Prometheus needs a scrape or two first). */
export async function waitForQuery(
  url: string,
  promql: string,
  accept: (result: { metric: Record<string, string>; value: [number, string] }[]) => boolean,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const res = await fetch(`${url}/api/v1/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ query: promql }),
    });
    const body = (await res.json()) as { data?: { result?: { metric: Record<string, string>; value: [number, string] }[] } };
    const result = body.data?.result ?? [];
    last = JSON.stringify(result).slice(0, 300);
    if (accept(result)) return;
    await sleep(250);
  }
  throw new Error(`timed out waiting for ${promql}; last result ${last}`);
}
