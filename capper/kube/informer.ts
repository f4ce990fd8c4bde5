// Informers stop on any error except 410 Gone (client-node #1933): restart them with exponential
// backoff, and let callers see whether the cache is currently synced (for /readyz).
import type { Informer, KubernetesObject, ObjectCache } from '@kubernetes/client-node';
import type { Logger } from '../../common/index.js';

export interface ResilientInformer<T extends KubernetesObject> {
  readonly cache: ObjectCache<T>;
  synced(): boolean;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function resilient<T extends KubernetesObject>(
  name: string,
  informer: Informer<T> & ObjectCache<T>,
  logger: Logger,
  opts: { initialBackoffMs?: number; maxBackoffMs?: number } = {},
): ResilientInformer<T> {
  const initial = opts.initialBackoffMs ?? 1000;
  const max = opts.maxBackoffMs ?? 30_000;
  let backoffMs = initial;
  let synced = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let errors = 0;
  // ListWatch.start() resolves even when its list fails (it reports through 'error'), so "synced"
  // means: the last start finished without an error in between.
  const startOnce = async (): Promise<void> => {
    const before = errors;
    await informer.start();
    if (errors === before && !stopped) {
      synced = true;
      backoffMs = initial;
    }
  };
  informer.on('error', (err: unknown) => {
    errors++;
    synced = false;
    if (stopped) return;
    logger.warn({ informer: name, err: String(err), retryInMs: backoffMs }, 'informer stopped; restarting');
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      startOnce().catch((e: unknown) => logger.warn({ informer: name, err: String(e) }, 'informer restart failed'));
    }, backoffMs);
    backoffMs = Math.min(max, backoffMs * 2);
  });
  return {
    cache: informer,
    synced: () => synced,
    async start() {
      stopped = false;
      await startOnce();
    },
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      await informer.stop();
    },
  };
}
