import t from 'tap';
import { decodeSlowdown, gpuPeakW, gpuPowerW, prefillSlowdown, type GpuPowerSpec } from './gpu-power.js';
import { createRequestSink } from './latency-log.js';
import { newRequest, Replica, type ServingSpec } from './replica.js';

const H100: GpuPowerSpec = { idleW: 75, prefillW: 700, decodeW: 380, maxLimitW: 700, minLimitW: 200, capSlowdownExponent: 0.74 };
const SERVING: ServingSpec = { gpusPerReplica: 4, prefillTokensPerS: 10_000, decodeBaseIterationMs: 20, decodePerSequenceMs: 0.3, maxBatch: 8, startupS: 60 };

await t.test('70 % power cap: prefill about 1.3x slower, decode untouched (published H100 behaviour)', async (t) => {
  t.ok(Math.abs(prefillSlowdown(H100, 490) - 1.3) < 0.01, `prefill ${prefillSlowdown(H100, 490)}`);
  t.equal(decodeSlowdown(H100, 490), 1);
  t.equal(prefillSlowdown(H100, 700), 1);
  t.ok(decodeSlowdown(H100, 250) > 1, 'a deep cap reaches decode too');
  t.equal(prefillSlowdown(H100, 50), prefillSlowdown(H100, 200), 'limits clamp to the driver minimum');
});

await t.test('GPU power by phase stays between idle and the limit', async (t) => {
  t.equal(gpuPowerW(H100, 700, 0, 0), 75);
  t.equal(gpuPowerW(H100, 700, 1, 0), 700);
  t.equal(gpuPowerW(H100, 700, 0, 1), 380);
  t.equal(gpuPowerW(H100, 490, 1, 0), 490);
  t.equal(gpuPeakW(H100, 490), 490);
  for (const [p, d] of [[0.3, 0.7], [0, 0.5], [1, 0]] as const) {
    const w = gpuPowerW(H100, 600, p, d);
    t.ok(w >= 75 && w <= 600, `${p}/${d}: ${w}`);
  }
});

function drive(limitW: number, ratePerS: number, seconds: number) {
  const replica = new Replica('svc-1', 'n', 'r', 0, 0, SERVING, H100);
  replica.phase = 'ready';
  replica.limitW = limitW;
  const sink = createRequestSink();
  let demanded = 0;
  let next = 0;
  let maxPowerW = 0;
  let minPowerW = Number.POSITIVE_INFINITY;
  for (let s = 0; s < seconds; s += 1) {
    while (next < s + 1 && next < seconds - 30) {
      replica.accept(newRequest(next, 1000, 100));
      demanded += 1100;
      next += 1 / ratePerS;
    }
    replica.advance(s, 1, sink);
    maxPowerW = Math.max(maxPowerW, replica.gpuPowerW);
    minPowerW = Math.min(minPowerW, replica.gpuPowerW);
  }
  return { replica, sink, demanded, maxPowerW, minPowerW };
}

await t.test('a replica serves everything it was given once the load stops, and no more', async (t) => {
  const { replica, sink, demanded, maxPowerW, minPowerW } = drive(700, 2, 120);
  t.ok(replica.idle, 'drained');
  t.ok(Math.abs(sink.tokensServed - demanded) < 1e-6 * demanded, `${sink.tokensServed} vs ${demanded}`);
  t.equal(sink.ttftS.count, sink.tpotS.count, 'every request got a first token and finished');
  t.ok(minPowerW >= 75 && maxPowerW <= 700);
  t.ok(sink.ttftS.quantile(0.5) >= 0.1, 'TTFT at least the 1000-token prefill at 10k tokens/s');
});

await t.test('under a 70 % cap the same load is served with a slower first token', async (t) => {
  const free = drive(700, 2, 120);
  const capped = drive(490, 2, 120);
  t.ok(Math.abs(capped.sink.tokensServed - capped.demanded) < 1e-6 * capped.demanded);
  const ratio = capped.sink.ttftS.quantile(0.5) / free.sink.ttftS.quantile(0.5);
  t.ok(ratio > 1.2 && ratio < 1.5, `median TTFT ratio ${ratio}`);
  t.ok(capped.maxPowerW <= 490);
});

await t.test('overload: tokens served stay below tokens demanded while a queue builds', async (t) => {
  const replica = new Replica('svc-1', 'n', 'r', 0, 0, SERVING, H100);
  replica.phase = 'ready';
  const sink = createRequestSink();
  let demanded = 0;
  for (let s = 0; s < 30; s += 1) {
    for (let k = 0; k < 20; k += 1) {
      replica.accept(newRequest(s, 2000, 200));
      demanded += 2200;
    }
    replica.advance(s, 1, sink);
    t.ok(sink.tokensServed <= demanded);
  }
  t.ok(replica.inFlight > 0);
  t.ok(replica.gpuPowerW > 600, 'saturated prefill runs near the limit');
});

await t.test('a starting replica draws idle power and serves nothing', async (t) => {
  const replica = new Replica('svc-1', 'n', 'r', 0, 60, SERVING, H100);
  const sink = createRequestSink();
  replica.accept(newRequest(0, 100, 10));
  replica.advance(0, 1, sink);
  t.equal(replica.gpuPowerW, 75);
  t.equal(sink.tokensServed, 0);
  t.equal(replica.takeUnstarted().length, 1, 'a draining replica hands unstarted requests back');
});
