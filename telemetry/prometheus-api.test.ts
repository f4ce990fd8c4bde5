// Unit: the Prometheus HTTP client against a local fake server (malformed JSON, error envelopes,
// timeouts, unexpected shapes); the real server is exercised by the *-live tests.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { isClimatikError } from '../common/index.js';
import { PrometheusApi, PrometheusError, parseSampleValue } from './prometheus-api.js';

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

async function fakePrometheus(t: { teardown(fn: () => unknown): void }, handler: Handler): Promise<string> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => handler(req, body, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const json = (res: ServerResponse, status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

void t.test('sample values: Prometheus strings to numbers, incl. NaN and infinities', async (t) => {
  const cases: [string, number][] = [['12.5', 12.5], ['NaN', Number.NaN], ['+Inf', Infinity], ['-Inf', -Infinity], ['1e3', 1000], ['', Number.NaN], ['abc', Number.NaN]];
  for (const [text, want] of cases) t.same(parseSampleValue(text), want, JSON.stringify(text));
});

void t.test('instant query: POST form-encoded, vector parsed with times in ms', async (t) => {
  let seen: { method?: string; url?: string; type?: string; body?: string } = {};
  const url = await fakePrometheus(t, (req, body, res) => {
    seen = { method: req.method, url: req.url, type: req.headers['content-type'], body };
    json(res, 200, {
      status: 'success',
      data: { resultType: 'vector', result: [{ metric: { node_name: 'n1' }, value: [1700000000.5, '+Inf'] }, { metric: {}, value: [1700000000.5, '42'] }] },
    });
  });
  const api = new PrometheusApi({ baseUrl: `${url}/prom/`, timeoutMs: 1000 });
  const samples = await api.query('sum by (node_name) (kepler_node_cpu_watts{zone="package"})', 1_700_000_000_500);
  t.equal(seen.method, 'POST');
  t.equal(seen.url, '/prom/api/v1/query', 'path prefix kept, trailing slash dropped');
  t.equal(seen.type, 'application/x-www-form-urlencoded');
  t.same(Object.fromEntries(new URLSearchParams(seen.body)), { query: 'sum by (node_name) (kepler_node_cpu_watts{zone="package"})', time: '1700000000.500' });
  t.same(samples, [
    { metric: { node_name: 'n1' }, timeMs: 1_700_000_000_500, value: Infinity },
    { metric: {}, timeMs: 1_700_000_000_500, value: 42 },
  ]);
});

void t.test('scalar, range-selector (matrix) and string results of an instant query', async (t) => {
  const answers: unknown[] = [
    { resultType: 'scalar', result: [1700000000, '3'] },
    { resultType: 'matrix', result: [{ metric: { a: 'x' }, values: [[1700000000, '1'], [1700000001, '2']] }, { metric: { a: 'y' }, values: [] }] },
    { resultType: 'string', result: [1700000000, 'hello'] },
  ];
  const url = await fakePrometheus(t, (_req, _body, res) => json(res, 200, { status: 'success', data: answers.shift() }));
  const api = new PrometheusApi({ baseUrl: url, timeoutMs: 1000 });
  t.same(await api.query('3'), [{ metric: {}, timeMs: 1_700_000_000_000, value: 3 }]);
  t.same(await api.query('x[5s]'), [{ metric: { a: 'x' }, timeMs: 1_700_000_001_000, value: 2 }], 'last raw sample with its real time');
  await t.rejects(api.query('"hello"'), { code: 'CLIMATIK_TELEMETRY_BAD_DATA', message: /returned a string/ });
});

void t.test('range query: start/end/step in seconds, matrix parsed', async (t) => {
  let form: Record<string, string> = {};
  const url = await fakePrometheus(t, (_req, body, res) => {
    form = Object.fromEntries(new URLSearchParams(body));
    json(res, 200, { status: 'success', data: { resultType: 'matrix', result: [{ metric: { rack: 'r1' }, values: [[1700000000, '10'], [1700000015, 'NaN']] }] } });
  });
  const api = new PrometheusApi({ baseUrl: url, timeoutMs: 1000 });
  const series = await api.queryRange('up', 1_700_000_000_000, 1_700_000_030_000, 15_000);
  t.same(form, { query: 'up', start: '1700000000.000', end: '1700000030.000', step: '15' });
  t.same(series, [{ metric: { rack: 'r1' }, points: [{ timeMs: 1_700_000_000_000, value: 10 }, { timeMs: 1_700_000_015_000, value: Number.NaN }] }]);
});

void t.test('failures become typed errors with their cause', async (t) => {
  const cases: { name: string; reply: (res: ServerResponse) => void; code: string; message: RegExp; errorType?: string }[] = [
    { name: 'bad_data (HTTP 400)', reply: (r) => json(r, 400, { status: 'error', errorType: 'bad_data', error: 'parse error at char 4' }), code: 'CLIMATIK_TELEMETRY_BAD_DATA', message: /bad_data: parse error/, errorType: 'bad_data' },
    { name: 'execution (HTTP 422)', reply: (r) => json(r, 422, { status: 'error', errorType: 'execution', error: 'many-to-many matching' }), code: 'CLIMATIK_TELEMETRY_BAD_DATA', message: /execution/, errorType: 'execution' },
    { name: 'timeout (HTTP 503)', reply: (r) => json(r, 503, { status: 'error', errorType: 'timeout', error: 'query timed out' }), code: 'CLIMATIK_TELEMETRY_UNAVAILABLE', message: /timeout/, errorType: 'timeout' },
    { name: 'malformed JSON', reply: (r) => r.writeHead(200).end('{"status": "succ'), code: 'CLIMATIK_TELEMETRY_BAD_DATA', message: /not JSON/ },
    { name: 'HTML from a proxy (HTTP 502)', reply: (r) => r.writeHead(502).end('<html>Bad Gateway</html>'), code: 'CLIMATIK_TELEMETRY_UNAVAILABLE', message: /HTTP 502/ },
    { name: 'unexpected envelope', reply: (r) => json(r, 200, { status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [1, 2] }] } }), code: 'CLIMATIK_TELEMETRY_BAD_DATA', message: /unexpected response/ },
  ];
  for (const c of cases) {
    const url = await fakePrometheus(t, (_req, _body, res) => c.reply(res));
    const err: unknown = await new PrometheusApi({ baseUrl: url, timeoutMs: 1000 }).query('up').catch((e: unknown) => e);
    t.ok(err instanceof PrometheusError, `${c.name}: PrometheusError`);
    t.ok(isClimatikError(err) && err.code === c.code, `${c.name}: ${c.code}`);
    t.match((err as Error).message, c.message, c.name);
    t.equal((err as PrometheusError).errorType, c.errorType, `${c.name}: errorType`);
    t.same((err as PrometheusError).issues[0]?.value, 'up', 'names the query');
  }
  const envelope = await fakePrometheus(t, (_req, _body, res) => json(res, 200, { status: 'success', data: { resultType: 'vector', result: 'nope' } }));
  const err = (await new PrometheusApi({ baseUrl: envelope, timeoutMs: 1000 }).query('up').catch((e: unknown) => e)) as Error;
  t.ok(isClimatikError(err.cause), 'schema problems kept as the cause, with paths');
});

void t.test('unreachable and timing-out servers are CLIMATIK_TELEMETRY_UNAVAILABLE', async (t) => {
  const closed = await fakePrometheus(t, () => undefined); // never answers
  const slow = new PrometheusApi({ baseUrl: closed, timeoutMs: 50 });
  await t.rejects(slow.query('up'), { code: 'CLIMATIK_TELEMETRY_UNAVAILABLE', message: /timed out after 50 ms/ });
  const refused = new PrometheusApi({ baseUrl: 'http://127.0.0.1:1', timeoutMs: 1000 });
  const err = (await refused.query('up').catch((e: unknown) => e)) as Error;
  t.match(err, { code: 'CLIMATIK_TELEMETRY_UNAVAILABLE', message: /unreachable/ });
  t.ok(err.cause instanceof Error, 'the fetch error is the cause');
});

void t.test('range query that does not return a matrix is bad data', async (t) => {
  const url = await fakePrometheus(t, (_req, _body, res) => json(res, 200, { status: 'success', data: { resultType: 'scalar', result: [1, '1'] } }));
  await t.rejects(new PrometheusApi({ baseUrl: url, timeoutMs: 1000 }).queryRange('1', 0, 1000, 1000), { code: 'CLIMATIK_TELEMETRY_BAD_DATA' });
});
