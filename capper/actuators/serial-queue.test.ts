import t from 'tap';
import { SerialQueue } from './serial-queue.js';

void t.test('an approval queued during a slow reconcile runs only after it, in order', async (t) => {
  const queue = new SerialQueue();
  const log: string[] = [];
  let finishReconcile: () => void = () => undefined;
  const reconcile = queue.run(async () => {
    log.push('reconcile start');
    await new Promise<void>((resolve) => (finishReconcile = resolve));
    log.push('reconcile end');
    return 3;
  });
  const approval = queue.run(async () => {
    log.push('approval');
    return 'ok';
  });
  await new Promise((r) => setImmediate(r));
  t.same(log, ['reconcile start'], 'the approval waits');
  finishReconcile();
  t.same(await Promise.all([reconcile, approval]), [3, 'ok']);
  t.same(log, ['reconcile start', 'reconcile end', 'approval']);
});

void t.test('a failed job rejects its caller and does not block the next', async (t) => {
  const queue = new SerialQueue();
  const failed = queue.run(async () => {
    throw new Error('API down');
  });
  const next = queue.run(async () => 'ran');
  await t.rejects(failed, /API down/);
  t.equal(await next, 'ran');
  await queue.idle();
});
