import t from 'tap';
import { BindLedger, podKey } from './ledger.js';

void t.test('ledger: binds count against their rack until a sample includes them', async (t) => {
  const ledger = new BindLedger();
  ledger.record({ key: 'uid:a', rackId: 'r1', powerW: 700, boundAtMs: 1000 });
  ledger.record({ key: 'uid:b', rackId: 'r1', powerW: 1400, boundAtMs: 2000 });
  ledger.record({ key: 'uid:c', rackId: 'r2', powerW: 700, boundAtMs: 3000 });
  const sampled = (times: Record<string, number>) => (rack: string) => times[rack];
  t.same(ledger.boundSinceSampleW(sampled({})), { r1: 2100, r2: 700 }, 'no sample yet: everything counts');
  t.same(ledger.boundSinceSampleW(sampled({ r1: 1500, r2: 1500 })), { r1: 1400, r2: 700 }, 'r1 sample at 1.5 s includes pod a');
  t.same(ledger.boundSinceSampleW(sampled({ r1: 5000, r2: 5000 })), {}, 'later samples include everything');
  t.equal(ledger.prune(2500), 2);
  t.equal(ledger.size, 1);
  t.equal(ledger.prune(2500), 0);
});

void t.test('ledger: the same pod seen twice (retried bind, then the informer) counts once, earliest bind time', async (t) => {
  const ledger = new BindLedger();
  ledger.record({ key: 'uid:a', rackId: 'r1', powerW: 700, boundAtMs: 2000 });
  const v = ledger.version;
  ledger.record({ key: 'uid:a', rackId: 'r1', powerW: 700, boundAtMs: 2000 });
  t.equal(ledger.version, v, 'identical record is not a change');
  ledger.record({ key: 'uid:a', rackId: 'r1', powerW: 700, boundAtMs: 1500 });
  t.equal(ledger.get('uid:a')?.boundAtMs, 1500);
  ledger.record({ key: 'uid:a', rackId: 'r1', powerW: 700, boundAtMs: 9000 });
  t.equal(ledger.get('uid:a')?.boundAtMs, 1500, 'a later sighting does not move the bind time');
  t.equal(ledger.size, 1);
  ledger.remove('uid:a');
  ledger.remove('uid:a');
  t.equal(ledger.size, 0);
});

void t.test('ledger: nonsense power or time is ignored', async (t) => {
  const ledger = new BindLedger();
  for (const [powerW, boundAtMs] of [[Number.NaN, 1], [-1, 1], [700, Number.NaN]] as const) ledger.record({ key: 'k', rackId: 'r1', powerW, boundAtMs });
  t.equal(ledger.size, 0);
});

void t.test('pod keys: UID when known, else namespace/name', async (t) => {
  t.equal(podKey({ uid: 'u1', namespace: 'ns', name: 'p' }), 'uid:u1');
  t.equal(podKey({ uid: '', namespace: 'ns', name: 'p' }), 'name:ns/p');
  t.equal(podKey({ name: 'p' }), 'name:default/p');
});
