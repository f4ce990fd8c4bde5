// Starts Debian's real Alertmanager on loopback for integration tests: free port, clustering off,
// temp storage, a config with a null receiver. Always pair with stop() (t.teardown).
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, terminateChild, waitHttpReady } from '../support/loopback.js';

export const ALERTMANAGER_BIN = '/usr/bin/prometheus-alertmanager';

const CONFIG = `route:
  receiver: "null"
  group_wait: 1s
receivers:
  - name: "null"
`;

export interface RunningAlertmanager {
  readonly url: string;
  stop(): Promise<void>;
}

export async function startAlertmanager(readyTimeoutMs = 30_000): Promise<RunningAlertmanager> {
  const dir = await mkdtemp(join(tmpdir(), 'climatik-am-'));
  await writeFile(join(dir, 'alertmanager.yml'), CONFIG);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    ALERTMANAGER_BIN,
    [`--config.file=${join(dir, 'alertmanager.yml')}`, `--storage.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address='],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const stop = async () => {
    await terminateChild(child);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitHttpReady(`${url}/-/ready`, child, readyTimeoutMs, () => stderr);
  } catch (err) {
    await stop();
    throw new Error(`alertmanager did not become ready: ${String(err)}\n${stderr}`, { cause: err });
  }
  return { url, stop };
}
