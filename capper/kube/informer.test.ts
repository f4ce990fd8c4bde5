import type { ErrorCallback, Informer, KubernetesObject, ObjectCache, ObjectCallback } from '@kubernetes/client-node';
import t from 'tap';
import { silentLogger } from '../../common/index.js';
import { resilient } from './informer.js';

/** An informer whose list fails the first `failures` starts, like ListWatch reporting through 'error'. */
class FlakyInformer implements Informer<KubernetesObject>, ObjectCache<KubernetesObject> {
  starts = 0;
  private readonly errorCbs: ErrorCallback[] = [];
  constructor(private failures: number) {}
  on(verb: string, cb: ObjectCallback<KubernetesObject> | ErrorCallback): void {
    if (verb === 'error') this.errorCbs.push(cb as ErrorCallback);
  }
  off(): void {}
  async start(): Promise<void> {
    this.starts++;
    if (this.failures > 0) {
      this.failures--;
      for (const cb of this.errorCbs) cb(new Error('connection refused'));
    }
  }
  async stop(): Promise<void> {}
  get(): KubernetesObject | undefined {
    return undefined;
  }
  list(): readonly KubernetesObject[] {
    return [];
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

void t.test('an informer that errors is restarted with growing backoff until it syncs', async (t) => {
  const flaky = new FlakyInformer(3);
  const r = resilient('pods', flaky, silentLogger(), { initialBackoffMs: 10, maxBackoffMs: 40 });
  await r.start();
  t.equal(r.synced(), false, 'not synced after a failed start');
  for (let i = 0; i < 100 && !r.synced(); i++) await sleep(10);
  t.equal(r.synced(), true, 'synced once a restart succeeded');
  t.equal(flaky.starts, 4, 'three failed starts, one good one');
  await r.stop();
});

void t.test('stop() cancels a pending restart', async (t) => {
  const flaky = new FlakyInformer(1);
  const r = resilient('nodes', flaky, silentLogger(), { initialBackoffMs: 10 });
  await r.stop();
  await r.start().catch(() => undefined);
  await r.stop();
  await sleep(50);
  t.equal(flaky.starts, 1);
});
