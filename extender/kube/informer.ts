// client-node informers stop for good on any error except 410 Gone (kubernetes-client/javascript
// #1933) and can stall silently (#596, #958). This keeps one running: restart with exponential
// backoff after an error, and a periodic stop/start (a fresh list) so a stalled watch heals.
import type { KubernetesObject } from '@kubernetes/client-node';
import { ListWatch, Watch, type KubeConfig, type KubernetesListObject } from '@kubernetes/client-node';
import type { Logger } from '../../common/index.js';

/** The informer surface this module needs (client-node's ListWatch satisfies it; tests pass fakes). */
export interface InformerLike<T> {
  on(verb: 'add' | 'update' | 'delete', cb: (obj: T) => void): void;
  on(verb: 'error' | 'connect', cb: (err?: unknown) => void): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  list(): readonly T[];
}

export interface KeepRunningOptions {
  readonly name: string;
  readonly logger: Logger;
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** Relist this often even without errors (stall protection); 0 disables. */
  readonly resyncMs?: number;
  readonly onRestart?: () => void;
  /** After each successful (re)start: the initial list is in the cache and the watch is open. */
  readonly onSynced?: () => void;
}

export interface Running {
  stop(): Promise<void>;
}

export function keepRunning<T>(informer: InformerLike<T>, opts: KeepRunningOptions): Running {
  const initialMs = opts.initialBackoffMs ?? 1000;
  const maxMs = opts.maxBackoffMs ?? 30_000;
  let backoffMs = initialMs;
  let stopped = false;
  let retry: NodeJS.Timeout | undefined;

  // client-node's start() also resolves after a failed list (it reports the error through the
  // 'error' callbacks instead): a start only counts as synced when no error came in meanwhile.
  let generation = 0;
  let failedGeneration = -1;
  const start = (): void => {
    if (stopped) return;
    const g = ++generation;
    informer
      .start()
      .then(() => {
        if (!stopped && failedGeneration !== g && g === generation) opts.onSynced?.();
      })
      .catch((err: unknown) => scheduleRestart(err));
  };
  const scheduleRestart = (err: unknown): void => {
    if (stopped || retry !== undefined) return;
    opts.logger.warn({ informer: opts.name, err: describe(err), retryInMs: backoffMs }, 'informer stopped; restarting');
    opts.onRestart?.();
    retry = setTimeout(() => {
      retry = undefined;
      start();
    }, backoffMs);
    retry.unref();
    backoffMs = Math.min(backoffMs * 2, maxMs);
  };

  informer.on('error', (err) => {
    failedGeneration = generation;
    scheduleRestart(err);
  });
  informer.on('connect', () => {
    backoffMs = initialMs;
  });
  const resync =
    (opts.resyncMs ?? 0) > 0
      ? setInterval(() => {
          informer
            .stop()
            .then(() => start())
            .catch((err: unknown) => scheduleRestart(err));
        }, opts.resyncMs)
      : undefined;
  resync?.unref();
  start();

  return {
    async stop() {
      stopped = true;
      if (retry !== undefined) clearTimeout(retry);
      if (resync !== undefined) clearInterval(resync);
      await informer.stop();
    },
  };
}

/** A client-node ListWatch (not auto-started) with an optional field selector, which makeInformer lacks in 1.4. */
export function listWatch<T extends KubernetesObject>(
  kc: KubeConfig,
  path: string,
  list: () => Promise<KubernetesListObject<T>>,
  fieldSelector?: string,
): InformerLike<T> {
  return new ListWatch<T>(path, new Watch(kc), list, false, undefined, fieldSelector);
}

function describe(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (err !== null && typeof err === 'object' && 'code' in err) return `code ${String((err as { code: unknown }).code)}`;
  return String(err);
}
