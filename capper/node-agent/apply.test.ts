import t from 'tap';
import { FakeGpuBackend } from '../gpu/fake-backend.js';
import { applyGpuLimit, parseDesiredLimit } from './apply.js';

const make = () =>
  new FakeGpuBackend([
    { uuid: 'GPU-a', powerDrawW: 300, powerLimitW: 700, defaultLimitW: 700, minLimitW: 200, maxLimitW: 700 },
    { uuid: 'GPU-b', powerDrawW: 300, powerLimitW: 400, defaultLimitW: 400, minLimitW: 250, maxLimitW: 450 },
  ]);

const cases: { name: string; desiredW: number | undefined; enforced: number[] }[] = [
  { name: 'desired limit within range on every GPU', desiredW: 300, enforced: [300, 300] },
  { name: 'desired limit below a GPU\'s minimum is clamped to it', desiredW: 220, enforced: [220, 250] },
  { name: 'desired limit above a GPU\'s maximum is clamped to it', desiredW: 600, enforced: [600, 450] },
  { name: 'no desired limit: defaults', desiredW: undefined, enforced: [700, 400] },
];
for (const c of cases) {
  void t.test(c.name, async (t) => {
    const b = make();
    const r = await applyGpuLimit(b, c.desiredW);
    t.same(r.gpus.map((g) => g.enforcedW), c.enforced);
    t.same(r.errors, []);
  });
}

void t.test('re-applying is a no-op until a driver reload loses the limits', async (t) => {
  const b = make();
  await applyGpuLimit(b, 300);
  const calls = b.calls.length;
  const again = await applyGpuLimit(b, 300);
  t.equal(again.changed, 0);
  t.same(b.calls.slice(calls), ['list'], 'only a read');
  b.reloadDriver();
  const repaired = await applyGpuLimit(b, 300);
  t.equal(repaired.changed, 2);
  t.ok(b.persistenceMode, 'persistence mode back on');
  t.same(repaired.gpus.map((g) => g.enforcedW), [300, 300]);
});

void t.test('annotation removed: the default limit comes back', async (t) => {
  const b = make();
  await applyGpuLimit(b, 300);
  const r = await applyGpuLimit(b, undefined);
  t.same(r.gpus.map((g) => g.enforcedW), [700, 400]);
  t.equal(r.desiredW, null);
});

void t.test('without root: errors reported per GPU, nothing thrown', async (t) => {
  const b = make();
  b.root = false;
  const r = await applyGpuLimit(b, 300);
  t.equal(r.changed, 0);
  t.match(r.errors.join('\n'), /persistence mode: .*Insufficient Permissions/);
  t.match(r.errors.join('\n'), /GPU 0: .*Insufficient Permissions/);
  t.same(r.gpus.map((g) => g.enforcedW), [700, 400]);
});

void t.test('annotation values', async (t) => {
  t.same(parseDesiredLimit(undefined), { desiredW: undefined });
  t.same(parseDesiredLimit(' 275 '), { desiredW: 275 });
  for (const bad of ['', 'abc', '-5', '0']) t.match(parseDesiredLimit(bad), { desiredW: undefined, error: /not a positive number/ }, bad);
});
