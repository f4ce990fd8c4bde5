// LeaseLock when the API server stops answering (a network partition: TCP accepted, no reply).
// The holder must give up within the renew deadline, before a standby may take the lease over;
// a renewal that hangs forever would keep a partitioned leader acting next to the new one.
// (The Lease protocol against the real kube-apiserver is in test/e2e/capper-lease.e2e.test.ts.)
import { KubeConfig } from '@kubernetes/client-node';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Socket } from 'node:net';
import t from 'tap';
import { systemClock } from '../common/index.js';
import { LeaseLock } from './leader.js';

async function silentServer(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function kubeConfigFor(server: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server, skipTLSVerify: true }],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return kc;
}

void t.test('partitioned API server: the renewal gives up at the renew deadline instead of hanging', { timeout: 10_000 }, async (t) => {
  const server = await silentServer();
  t.teardown(() => server.close());
  const lock = new LeaseLock(kubeConfigFor(server.url), { namespace: 'ns', name: 'l', identity: 'a', leaseDurationMs: 900, renewDeadlineMs: 600 }, systemClock);
  const started = Date.now();
  await t.rejects(lock.tryAcquireOrRenew(), { code: 'CLIMATIK_KUBE_API', message: /renew deadline/ });
  const tookMs = Date.now() - started;
  t.ok(tookMs < 900, `gave up before the lease could expire (${tookMs} ms)`);
});

void t.test('holder partitioned after acquiring: gives up at its last renewal + the renew deadline', { timeout: 10_000 }, async (t) => {
  // Answers like kube-apiserver until the lease is created (GET 404, POST 201), then goes silent.
  let created = false;
  const server = createHttpServer((req, res) => {
    if (created) return; // partition: never answer
    if (req.method === 'GET') {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 }));
      return;
    }
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      created = true;
      res.writeHead(201, { 'content-type': 'application/json' }).end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const lock = new LeaseLock(kubeConfigFor(`http://127.0.0.1:${port}`), { namespace: 'ns', name: 'l', identity: 'a', leaseDurationMs: 1500, renewDeadlineMs: 1000 }, systemClock);
  const acquiredAt = Date.now();
  t.equal(await lock.tryAcquireOrRenew(), true, 'acquired');
  await new Promise((r) => setTimeout(r, 500));
  await t.rejects(lock.tryAcquireOrRenew(), { code: 'CLIMATIK_KUBE_API' });
  const sinceAcquireMs = Date.now() - acquiredAt;
  t.ok(sinceAcquireMs < 1400, `stopped leading ${sinceAcquireMs} ms after the last renewal, before the 1.5 s lease could pass to a standby`);
});

void t.test('renew deadline must be shorter than the lease', async (t) => {
  t.throws(
    () => new LeaseLock(kubeConfigFor('http://127.0.0.1:1'), { namespace: 'ns', name: 'l', identity: 'a', leaseDurationMs: 3000, renewDeadlineMs: 3000 }, systemClock),
    { code: 'CLIMATIK_CONFIG_INVALID', issues: [{ path: 'renewDeadlineMs' }] },
  );
});
