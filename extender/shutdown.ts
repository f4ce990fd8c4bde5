// Shutdown that neither cuts a request in flight nor waits on a connection that carries none.
//
// fastify 5's default `forceCloseConnections: 'idle'` relies on node's server.close(), which closes
// keep-alive sockets between requests but not a socket that was opened and never sent a request:
// to node that one is still "waiting for headers". Chromium preconnects such a socket whenever the
// status page is open, and close() then waited for the headers timeout (60 s, checked every 30 s;
// ~107 s measured with the page open): past Kubernetes' 30 s grace period, so SIGKILL, not a clean exit.
// `forceCloseConnections: true` destroys every connection once the preClose hooks are done; the
// preClose hook installed here first lets requests already in flight finish (a /bind whose answer
// is lost makes kube-scheduler retry the pod), bounded so a stalled client cannot hold shutdown.
// While draining, fastify answers new requests on open connections with 503 + `Connection: close`.
import type { FastifyInstance } from 'fastify';

/** Longer than kube-scheduler's extender httpTimeout (5 s): after that no caller waits any more. */
export const DEFAULT_DRAIN_MS = 10_000;

/** Fastify server options this shutdown relies on. */
export const SHUTDOWN_SERVER_OPTIONS = { forceCloseConnections: true } as const;

/** Counts requests on the listening server and makes `app.close()` wait for them (at most `drainMs`). */
export function drainRequestsOnClose(app: FastifyInstance, drainMs: number = DEFAULT_DRAIN_MS): void {
  let inFlight = 0;
  let waiters: (() => void)[] = [];
  // Registered after fastify's own handler on the same event; `close` fires when the response is
  // finished or its socket is gone, so every counted request is eventually uncounted.
  app.server.on('request', (_request, response) => {
    inFlight += 1;
    response.once('close', () => {
      inFlight -= 1;
      if (inFlight === 0) for (const wake of waiters.splice(0)) wake();
    });
  });
  app.addHook('preClose', async () => {
    if (inFlight === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      waiters.push(resolve);
      timer = setTimeout(() => {
        waiters = waiters.filter((w) => w !== resolve);
        app.log.warn({ inFlight, drainMs }, 'requests still in flight at shutdown; closing their connections');
        resolve();
      }, drainMs);
    });
    clearTimeout(timer);
  });
}
