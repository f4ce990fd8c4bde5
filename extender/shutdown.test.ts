// app.close() on a listening extender: connections that carry no request must not hold it, a request
// in flight must still get its answer. Sockets on loopback, because inject() has no connections.
import { once } from 'node:events';
import { Agent, request } from 'node:http';
import { connect, type Socket } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import t from 'tap';
import type { Binder, BindOutcome, BindTarget } from './binder.js';
import { drainRequestsOnClose, SHUTDOWN_SERVER_OPTIONS } from './shutdown.js';
import { testExtender } from './testing/fixtures.js';

const TEN_MINUTES_MS = 10 * 60_000;

async function listen(app: FastifyInstance): Promise<number> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  if (addr === null || typeof addr === 'string') throw new Error(`unexpected address ${String(addr)}`);
  // If close() waited for either timeout, this test would run into tap's timeout (120 s) and fail.
  app.server.keepAliveTimeout = TEN_MINUTES_MS;
  app.server.headersTimeout = TEN_MINUTES_MS;
  return addr.port;
}

function get(port: number, path: string, agent: Agent): Promise<{ status: number; body: string; socket: Socket }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, socket: req.socket as Socket }));
    });
    req.on('error', reject);
    req.end();
  });
}

void t.test('status page open in Chromium: a preconnected socket and an idle keep-alive socket do not hold close()', async (t) => {
  const { app } = await testExtender();
  const port = await listen(app);
  // What Chromium does: a connection opened ahead of time that never carries a request.
  const preconnected = connect(port, '127.0.0.1');
  await once(preconnected, 'connect');
  // And a keep-alive connection left idle after one request.
  const agent = new Agent({ keepAlive: true });
  t.teardown(() => agent.destroy());
  const first = await get(port, '/healthz', agent);
  t.equal(first.status, 200);
  const idleClosed = once(first.socket, 'close');
  const preconnectedClosed = once(preconnected, 'close');

  await app.close();
  await Promise.all([idleClosed, preconnectedClosed]);
  t.equal(preconnected.destroyed, true, 'the never-used connection was closed by the server');
  t.equal(first.socket.destroyed, true, 'the idle keep-alive connection was closed by the server');
});

class BlockedBinder implements Binder {
  started!: Promise<BindTarget>;
  private markStarted!: (t: BindTarget) => void;
  private finish!: (o: BindOutcome) => void;
  constructor() {
    this.started = new Promise((resolve) => (this.markStarted = resolve));
  }
  bind(target: BindTarget): Promise<BindOutcome> {
    this.markStarted(target);
    return new Promise((resolve) => (this.finish = resolve));
  }
  release(): void {
    this.finish('bound');
  }
}

void t.test('bind in flight at shutdown: close() waits for it and the scheduler gets the answer', async (t) => {
  const binder = new BlockedBinder();
  const { app } = await testExtender({ binder });
  const port = await listen(app);
  const events: string[] = [];
  const answer = fetch(`http://127.0.0.1:${port}/bind`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ PodName: 'llm-0', PodNamespace: 'inference', PodUID: 'u-0', Node: 'gpu-2a' }),
  }).then(async (res) => ({ status: res.status, body: (await res.json()) as unknown }));
  t.same(await binder.started, { name: 'llm-0', namespace: 'inference', uid: 'u-0', node: 'gpu-2a' });
  const closed = app.close().then(() => events.push('closed'));
  // close() has begun (routes closed, preClose waiting) while the Binding is still being created.
  await new Promise((resolve) => setImmediate(resolve));
  t.same(events, [], 'close() waits for the bind');
  events.push('bind finished');
  binder.release();
  t.same(await answer, { status: 200, body: { Error: '' } }, 'the answer was not cut off');
  await closed;
  t.same(events, ['bind finished', 'closed']);
});

void t.test('stalled request: close() stops waiting after the drain period and closes its connection', async (t) => {
  const app = Fastify(SHUTDOWN_SERVER_OPTIONS);
  drainRequestsOnClose(app, 50);
  let arrived!: () => void;
  const reached = new Promise<void>((resolve) => (arrived = resolve));
  app.get('/stuck', () => {
    arrived();
    return new Promise<never>(() => undefined);
  });
  const port = await listen(app);
  const agent = new Agent({ keepAlive: true });
  t.teardown(() => agent.destroy());
  const outcome = get(port, '/stuck', agent).then(
    () => 'answered',
    (err: NodeJS.ErrnoException) => err.code ?? err.message,
  );
  await reached;
  await app.close();
  t.equal(await outcome, 'ECONNRESET', 'the stalled request was cut once the drain period ran out');
});
