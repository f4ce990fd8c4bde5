// Fans recommendations out to every sink without ever blocking the caller: each sink has its own
// bounded queue and one worker, so a slow or dead sink (Slack down, git remote unreachable) delays
// only itself. Failed deliveries are retried with bounded exponential backoff, then dropped and
// counted; a full queue drops the new item (counted) rather than growing without limit.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Logger } from '../../common/index.js';
import type { NotificationSink, Recommendation } from './types.js';

export interface RetryOptions {
  /** Total tries per delivery, including the first. */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryOptions = { maxAttempts: 5, baseDelayMs: 500, maxDelayMs: 30_000 };

export interface DispatcherOptions {
  readonly sinks: readonly NotificationSink[];
  readonly logger: Logger;
  readonly registry: Registry;
  readonly retry?: RetryOptions;
  /** Pending deliveries per sink beyond which new ones are dropped. */
  readonly maxQueue?: number;
  /** Injected so tests can record the backoff instead of waiting for it. */
  readonly sleep?: (ms: number) => Promise<void>;
}

type Job = { readonly operation: 'publish'; readonly recommendation: Recommendation } | { readonly operation: 'resolve'; readonly rackKey: string };

/** Delay before retry number `retry` (1-based): base · 2^(retry−1), capped. */
export function backoffMs(retry: number, options: RetryOptions): number {
  return Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (retry - 1));
}

export interface SinkMetrics {
  readonly deliveries: Counter<'sink' | 'operation' | 'outcome'>;
  readonly attemptFailures: Counter<'sink' | 'operation'>;
  readonly dropped: Counter<'sink'>;
  readonly queueDepth: Gauge<'sink'>;
}

export function sinkMetrics(registry: Registry): SinkMetrics {
  const registers = [registry];
  return {
    deliveries: new Counter({
      name: 'climatik_sink_deliveries_total',
      help: 'notification deliveries by sink, operation and outcome (success, or failure after the last retry)',
      labelNames: ['sink', 'operation', 'outcome'],
      registers,
    }),
    attemptFailures: new Counter({ name: 'climatik_sink_attempt_failures_total', help: 'failed delivery attempts, retried or not', labelNames: ['sink', 'operation'], registers }),
    dropped: new Counter({ name: 'climatik_sink_dropped_total', help: 'deliveries dropped because the sink queue was full', labelNames: ['sink'], registers }),
    queueDepth: new Gauge({ name: 'climatik_sink_queue_depth', help: 'deliveries waiting per sink', labelNames: ['sink'], registers }),
  };
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

class SinkWorker {
  private readonly queue: Job[] = [];
  private running: Promise<void> | undefined;

  constructor(
    private readonly sink: NotificationSink,
    private readonly options: Required<Omit<DispatcherOptions, 'sinks' | 'registry'>>,
    private readonly metrics: SinkMetrics,
  ) {}

  enqueue(job: Job): void {
    if (this.queue.length >= this.options.maxQueue) {
      this.metrics.dropped.inc({ sink: this.sink.name });
      this.options.logger.warn({ sink: this.sink.name, operation: job.operation }, 'notification queue full; dropped');
      return;
    }
    this.queue.push(job);
    this.metrics.queueDepth.set({ sink: this.sink.name }, this.queue.length);
    this.kick();
  }

  async idle(): Promise<void> {
    while (this.running !== undefined) await this.running;
  }

  private kick(): void {
    if (this.running !== undefined) return;
    this.running = this.drain().finally(() => {
      this.running = undefined;
      // A job enqueued after the loop saw an empty queue but before this ran would otherwise wait.
      if (this.queue.length > 0) this.kick();
    });
  }

  private async drain(): Promise<void> {
    for (let job = this.queue.shift(); job !== undefined; job = this.queue.shift()) {
      this.metrics.queueDepth.set({ sink: this.sink.name }, this.queue.length);
      await this.deliver(job);
    }
  }

  private async deliver(job: Job): Promise<void> {
    const labels = { sink: this.sink.name, operation: job.operation };
    const { retry, logger, sleep } = this.options;
    for (let attempt = 1; ; attempt++) {
      try {
        if (job.operation === 'publish') await this.sink.publish(job.recommendation);
        else await this.sink.resolve(job.rackKey);
        this.metrics.deliveries.inc({ ...labels, outcome: 'success' });
        return;
      } catch (err) {
        this.metrics.attemptFailures.inc(labels);
        if (attempt >= retry.maxAttempts) {
          this.metrics.deliveries.inc({ ...labels, outcome: 'failure' });
          logger.error({ ...labels, attempt, err: String(err) }, 'notification failed; giving up');
          return;
        }
        const delayMs = backoffMs(attempt, retry);
        logger.warn({ ...labels, attempt, delayMs, err: String(err) }, 'notification failed; retrying');
        await sleep(delayMs);
      }
    }
  }
}

export class NotificationDispatcher {
  private readonly workers: SinkWorker[];

  constructor(options: DispatcherOptions) {
    const metrics = sinkMetrics(options.registry);
    const resolved = { logger: options.logger, retry: options.retry ?? DEFAULT_RETRY, maxQueue: options.maxQueue ?? 100, sleep: options.sleep ?? realSleep };
    this.workers = options.sinks.map((s) => new SinkWorker(s, resolved, metrics));
  }

  /** Returns at once; delivery happens in the background. */
  publish(recommendation: Recommendation): void {
    for (const w of this.workers) w.enqueue({ operation: 'publish', recommendation });
  }

  resolve(rackKey: string): void {
    for (const w of this.workers) w.enqueue({ operation: 'resolve', rackKey });
  }

  /** Settles when every queue is empty (tests, graceful shutdown). */
  async idle(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.idle()));
  }
}
