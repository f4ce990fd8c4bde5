// What every test that runs a real service on loopback needs: a free port, a readiness poll that
// fails early when the child died, and a stop that escalates to SIGKILL. One copy for the
// Prometheus and Alertmanager fixtures and the e2e harness.
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** A port the kernel reports free on 127.0.0.1 right now (picked at run time, never hard-coded). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not read the listening port'));
      });
    });
  });
}

/**
 * Polls `url` until it answers 2xx. Throws at once when the child exits (with `detail()`, e.g. its
 * stderr tail) and after `timeoutMs`, which bounds a hung start-up; it is not a speed assertion.
 */
export async function waitHttpReady(url: string, child: ChildProcess, timeoutMs: number, detail: () => string = () => ''): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode} before ${url} was ready: ${detail()}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms: ${detail()}`);
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the child has exited. */
export async function terminateChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
