// `climatik report` with a literal policy object in place of the API server (the real one is
// test/e2e/report.e2e.test.ts): formatting, --json, and every error a user can cause.
import { ApiException, KubeConfig } from '@kubernetes/client-node';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import t, { type Test } from 'tap';
import { ClimatikError, isClimatikError } from '../common/index.js';
import { clusterPolicyReader, NO_REPORT_YET, parsePolicyRef, run, type PolicyReader } from './cli-report.js';
import type { OutcomeRecord } from './counterfactual/schema.js';
import { summarizeOutcomes } from './counterfactual/summary.js';

const T0 = Date.parse('2026-11-29T10:00:00Z');
const side = (powerW: number, seconds: number, measured: boolean, breach: number) => ({ seconds, measuredSeconds: measured ? seconds : 0, energyWh: (powerW * seconds) / 3600, peakPowerW: powerW, capBreachSeconds: breach });
const outcomes: OutcomeRecord[] = [
  {
    rack: 'rack-a', time: new Date(T0).toISOString(), until: new Date(T0 + 1_800_000).toISOString(), capW: 9000,
    actions: ['SetGpuPowerLimit gpu-a1 300', 'SetGpuPowerLimit gpu-a2 300'], effectW: -800, floorW: 343, servedWithPercent: 93.4, servedWithoutPercent: 100,
    taken: true, takenTime: new Date(T0).toISOString(), closed: true, withActions: side(8800, 1800, true, 0), withoutActions: side(9600, 1800, false, 1800),
  },
  {
    rack: 'rack-b', time: new Date(T0 + 600_000).toISOString(), until: new Date(T0 + 2_400_000).toISOString(), capW: 9000,
    actions: ['SetMaxReplicas ml/llm 7'], effectW: -1600, floorW: 171, servedWithPercent: 87.5, servedWithoutPercent: 100,
    taken: false, closed: false, lastSample: { time: new Date(T0 + 900_000).toISOString(), powerW: 9400 }, withActions: side(7800, 300, false, 0), withoutActions: side(9400, 300, true, 300),
  },
];
const summary = summarizeOutcomes(outcomes, T0 - 3_600_000, T0 + 3_600_000);
const policy = (status: unknown) => ({ apiVersion: 'climatik.io/v1alpha1', kind: 'PowerCappingPolicy', metadata: { name: 'cap', namespace: 'ml' }, spec: {}, status });

/** The ClimatikError a call failed with (fails the test when it did not fail that way). */
async function failure(t: Test, p: Promise<unknown>, code: 'CLIMATIK_USAGE' | 'CLIMATIK_KUBE_API', name: string): Promise<string> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  t.ok(isClimatikError(err, code), `${name}: ${code}`);
  return isClimatikError(err) ? err.describe() : String(err);
}

async function report(args: string[], read: PolicyReader) {
  let out = '';
  let err = '';
  const code = await run(args, { out: { write: (s: string) => (out += s) }, err: { write: (s: string) => (err += s) } }, read);
  return { code, out, err };
}

void t.test('a policy with a report: aligned with/without table, then the outcomes', async (t) => {
  const asked: string[] = [];
  const r = await report(['--policy', 'ml/cap'], async (ns, name) => (asked.push(`${ns}/${name}`), policy({ counterfactual: summary, outcomes })));
  t.equal(r.code, 0);
  t.same(asked, ['ml/cap']);
  const lines = r.out.split('\n');
  t.equal(lines[0], `PowerCappingPolicy ml/cap: counterfactual ${summary.from} .. ${summary.to}`);
  t.equal(lines[1], '2 recommendation(s), 1 taken');
  const header = lines.findIndex((l) => l.includes('with actions'));
  const rows = lines.slice(header, header + 7);
  t.same(rows.map((l) => l.split(/\s{2,}/)[0]), ['', 'mean power, racks summed (W)', 'peak power (W)', 'over cap (s)', 'load served (%)', 'energy (kWh)', 'basis']);
  t.equal(new Set(rows.map((l) => l.length)).size, 1, 'every row the same width: columns aligned');
  t.match(rows[3], /over cap \(s\)\s+0\s+2,100$/);
  t.match(rows[6], /basis\s+mixed\s+mixed$/);
  t.ok(lines.includes(summary.verdict));
  t.match(r.out, /rack-a\s+yes \+0 s\s+-800\s+8,800\s+9,600\s+0\s+1,800\s+1,800\s+SetGpuPowerLimit gpu-a1 300, SetGpuPowerLimit gpu-a2 300/);
  t.match(r.out, /rack-b\s+no\s+-1,600\s+7,800\s+9,400\s+0\s+300\s+300\+\s+SetMaxReplicas ml\/llm 7/, 'still followed: marked +');
});

void t.test('--json prints the CounterfactualSummary exactly', async (t) => {
  const r = await report(['--policy', 'ml/cap', '--json'], async () => policy({ counterfactual: summary, outcomes }));
  t.equal(r.code, 0);
  t.same(JSON.parse(r.out), summary);
});

void t.test('no report yet: says so, non-zero exit, no crash', async (t) => {
  for (const [name, object] of [['no status', policy(undefined)], ['status without a report', policy({ racksOverCap: 0 })]] as const) {
    const r = await report(['--policy', 'ml/cap'], async () => object);
    t.equal(r.code, NO_REPORT_YET, name);
    t.match(r.err, /PowerCappingPolicy ml\/cap has no counterfactual report yet/, name);
    t.equal(r.out, '', name);
  }
});

void t.test('bad input names the flag and the value', async (t) => {
  const never: PolicyReader = async () => t.fail('the cluster must not be asked');
  const cases: [string, string[], RegExp][] = [
    ['no namespace', ['--policy', 'cap'], /--policy: expected NAMESPACE\/NAME \(value: "cap"\)/],
    ['upper case', ['--policy', 'ML/Cap'], /--policy: expected NAMESPACE\/NAME \(value: "ML\/Cap"\)/],
    ['three parts', ['--policy', 'a/b/c'], /value: "a\/b\/c"/],
    ['missing flag', [], /--policy: required/],
    ['unknown flag', ['--policy', 'ml/cap', '--format', 'x'], /report: Unknown option '--format'/],
    ['stray argument', ['ml/cap'], /unexpected argument ml\/cap/],
  ];
  for (const [name, args, message] of cases) {
    t.match(await failure(t, report(args, never), 'CLIMATIK_USAGE', name), message, name);
  }
  t.same(parsePolicyRef('ml/cap.v2'), { namespace: 'ml', name: 'cap.v2' });
  t.throws(() => parsePolicyRef(`${'n'.repeat(64)}/cap`), /--policy must be NAMESPACE\/NAME/, 'namespace longer than 63');
});

void t.test('a malformed report in status is an error naming the field', async (t) => {
  const broken = { ...summary, withActions: { ...summary.withActions, basis: 'guessed' } };
  t.match(await failure(t, report(['--policy', 'ml/cap'], async () => policy({ counterfactual: broken })), 'CLIMATIK_KUBE_API', 'bad basis'), /status.counterfactual of PowerCappingPolicy ml\/cap is invalid[^]*\/withActions\/basis/);
});

void t.test('the cluster reader: 404 names the policy; other failures keep the status code', async (t) => {
  // A tiny local API server answering like kube-apiserver does for a missing object and for a 403.
  const server = createServer((req, res) => {
    const forbidden = req.url?.includes('/namespaces/secret/') ?? false;
    res.writeHead(forbidden ? 403 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: forbidden ? 'Forbidden' : 'NotFound', code: forbidden ? 403 : 404 }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, skipTLSVerify: true }],
    users: [{ name: 'u', token: 'x' }],
    contexts: [{ name: 'ctx', cluster: 'c', user: 'u' }],
    currentContext: 'ctx',
  });
  const read = clusterPolicyReader(kc);
  const gone = await read('ml', 'gone').then(() => undefined, (e: unknown) => e);
  t.ok(gone instanceof ClimatikError && gone.cause instanceof ApiException, 'a ClimatikError keeping the API error');
  t.match(gone, { code: 'CLIMATIK_KUBE_API', message: 'PowerCappingPolicy ml/gone not found' });
  t.match(await failure(t, read('secret', 'cap'), 'CLIMATIK_KUBE_API', 'forbidden'), /read PowerCappingPolicy secret\/cap failed \(HTTP 403\)/);
});

void t.test('--help prints the usage and asks nothing of the cluster', async (t) => {
  const r = await report(['--help'], async () => t.fail('the cluster must not be asked'));
  t.equal(r.code, 0);
  t.match(r.out, /^usage: climatik report --policy NAMESPACE\/NAME \[--json\]/);
  t.match(r.out, /3 the policy has no report yet/);
});
