import t from 'tap';
import { ClimatikError } from '../common/index.js';
import { createPrng } from './prng.js';
import { parseAzureTimestampS, parseTrace, readTraceFile } from './trace-reader.js';
import { shapeTrace } from './trace-shape.js';

const AZURE = `TIMESTAMP,ContextTokens,GeneratedTokens
2023-11-16 18:15:46.6805900,374,44
2023-11-16 18:15:50.9951690,396,109
2023-11-16 18:15:51.2224670,879,55
`;

await t.test('Azure trace: 7 fractional digits kept, time rebased to the first request', async (t) => {
  const trace = parseTrace(AZURE, 'conv.csv');
  t.equal(trace.format, 'azure-llm');
  t.equal(trace.arrivalS.length, 3);
  t.equal(trace.arrivalS[0], 0);
  t.ok(Math.abs((trace.arrivalS[1] as number) - 4.314579) < 1e-5, `got ${trace.arrivalS[1]}`);
  t.ok(Math.abs((trace.arrivalS[2] as number) - 4.541877) < 1e-5);
  t.same(Array.from(trace.inputTokens), [374, 396, 879]);
  t.same(Array.from(trace.outputTokens), [44, 109, 55]);
  t.ok(Math.abs(trace.durationS - 4.541877) < 1e-5);
});

await t.test('the bundled Azure conversation trace reads whole', async (t) => {
  const trace = await readTraceFile(new URL('../data/traces/azure-llm-2023-conv.csv', import.meta.url).pathname);
  t.equal(trace.arrivalS.length, 19366);
  t.ok(trace.durationS > 55 * 60 && trace.durationS < 60 * 60, `duration ${trace.durationS}`);
});

await t.test('plain trace: out-of-order rows are sorted, CRLF and a trailing blank line accepted', async (t) => {
  const trace = parseTrace('timestamp_s,input_tokens,output_tokens\r\n10.5,100,5\r\n2,50,1\r\n\r\n', 'plain.csv');
  t.equal(trace.format, 'plain');
  t.same(Array.from(trace.arrivalS), [0, 8.5]);
  t.same(Array.from(trace.inputTokens), [50, 100]);
});

const BAD: [string, string, RegExp, string][] = [
  ['unknown header', 'time,in,out\n1,2,3\n', /unrecognised trace header/, 'x.csv:1'],
  ['negative tokens', 'timestamp_s,input_tokens,output_tokens\n1,-5,3\n', /bad cell/, 'x.csv:2:2'],
  ['fractional tokens', 'timestamp_s,input_tokens,output_tokens\n1,5,3.5\n', /bad cell/, 'x.csv:2:3'],
  ['bad timestamp', 'TIMESTAMP,ContextTokens,GeneratedTokens\n2023-13-01 00:00:00.1,5,3\n', /bad cell/, 'x.csv:2:1'],
  ['February 30th', 'TIMESTAMP,ContextTokens,GeneratedTokens\n2023-02-30 00:00:00,5,3\n', /bad cell/, 'x.csv:2:1'],
  ['missing column', 'timestamp_s,input_tokens,output_tokens\n1,5\n', /bad cell/, 'x.csv:2'],
  ['no requests', 'timestamp_s,input_tokens,output_tokens\n', /no requests/, 'x.csv:2'],
];

await t.test('bad traces: CLIMATIK_TRACE_INVALID naming the line and column', async (t) => {
  for (const [name, text, message, path] of BAD) {
    const err = t.throws(() => parseTrace(text, 'x.csv'), { code: 'CLIMATIK_TRACE_INVALID', message }, name) as unknown;
    t.ok(err instanceof ClimatikError && err.issues.some((i) => i.path === path), `${name}: issue at ${path}`);
  }
});

await t.test('a bad trace lists several problems at once, capped at 20', async (t) => {
  const rows = Array.from({ length: 30 }, () => 'x,1,1').join('\n');
  const err = t.throws(() => parseTrace(`timestamp_s,input_tokens,output_tokens\n${rows}\n`, 'many.csv')) as ClimatikError;
  t.equal(err.issues.length, 20);
  t.match(err.message, /first 20 shown/);
});

await t.test('unreadable trace file is a CLIMATIK_TRACE_INVALID naming the file', async (t) => {
  await t.rejects(readTraceFile('/no/such/trace.csv'), { code: 'CLIMATIK_TRACE_INVALID', message: /\/no\/such\/trace\.csv/ });
});

await t.test('Azure timestamps: seconds with the fraction, invalid ones undefined', async (t) => {
  t.equal(parseAzureTimestampS('1970-01-01 00:00:01.5'), 1.5);
  t.equal(parseAzureTimestampS('1970-01-01T00:01:00'), 60);
  t.equal(parseAzureTimestampS('1970-01-01 24:00:00'), undefined);
  t.equal(parseAzureTimestampS('yesterday'), undefined);
});

const base = parseTrace('timestamp_s,input_tokens,output_tokens\n0,10,1\n10,20,2\n20,30,3\n30,40,4\n', 'base.csv');

await t.test('load scale: whole copies plus a seeded fraction, token mix unchanged', async (t) => {
  const x3 = shapeTrace(base, { loadScale: 3, stretch: 1, loop: false, copyWindowS: 2 }, createPrng(1));
  t.equal(x3.arrivalS.length, 12);
  t.same(Array.from(x3.inputTokens).sort((a, b) => a - b), [10, 10, 10, 20, 20, 20, 30, 30, 30, 40, 40, 40]);
  for (let i = 1; i < x3.arrivalS.length; i += 1) t.ok((x3.arrivalS[i] as number) >= (x3.arrivalS[i - 1] as number), 'sorted');
  const half = shapeTrace(base, { loadScale: 0.5, stretch: 1, loop: false, copyWindowS: 0 }, createPrng(1));
  t.ok(half.arrivalS.length <= 4);
  const again = shapeTrace(base, { loadScale: 0.5, stretch: 1, loop: false, copyWindowS: 0 }, createPrng(1));
  t.same(Array.from(again.arrivalS), Array.from(half.arrivalS), 'same seed, same trace');
});

await t.test('stretch and loop fill the requested duration', async (t) => {
  const stretched = shapeTrace(base, { loadScale: 1, stretch: 2, loop: false, copyWindowS: 0 }, createPrng(1));
  t.same(Array.from(stretched.arrivalS), [0, 20, 40, 60]);
  const looped = shapeTrace(base, { loadScale: 1, stretch: 1, durationS: 95, loop: true, copyWindowS: 0 }, createPrng(1));
  // Period = 30 s span + 10 s mean gap = 40 s: rounds start at 0, 40, 80.
  t.same(Array.from(looped.arrivalS), [0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
  t.equal(looped.durationS, 95);
  t.throws(() => shapeTrace(base, { loadScale: 0, stretch: 1, loop: false, copyWindowS: 0 }, createPrng(1)), { code: 'CLIMATIK_USAGE' });
});
