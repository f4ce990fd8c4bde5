import t from 'tap';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../cli/main.js';
import { parsePolicies } from './cli.js';

const TINY = new URL('./testdata/tiny-scenario.yaml', import.meta.url).pathname;
const CONTRACT_KEYS = [
  'budgetViolationSeconds',
  'coolingEnergyKWh',
  'itEnergyKWh',
  'p99TpotS',
  'p99TtftS',
  'peakInletC',
  'redlineViolationSeconds',
  'tokensDemanded',
  'tokensServed',
];

/** Runs the real CLI entry point, capturing what it writes. */
async function climatik(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const origOut = process.stdout.write.bind(process.stdout);
  const origErr = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string | Uint8Array) => out.push(String(chunk)) > 0) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => err.push(String(chunk)) > 0) as typeof process.stderr.write;
  try {
    const code = await main(args);
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    process.stdout.write = origOut;
    process.stderr.write = origErr;
  }
}

await t.test('climatik simulate --json: exactly the contract, one object, every policy', async (t) => {
  const { code, stdout } = await climatik(['simulate', '--scenario', TINY, '--json', '--duration', '120']);
  t.equal(code, 0);
  t.equal(stdout.trim().split('\n').length, 1, 'one line');
  const parsed = JSON.parse(stdout) as { policies: Record<string, Record<string, unknown>>; counterfactual: Record<string, Record<string, unknown>> };
  t.same(Object.keys(parsed), ['policies', 'counterfactual'], 'the tiny scenario has a capping policy: a counterfactual block');
  t.same(Object.keys(parsed.counterfactual), ['climatik']);
  t.equal(parsed.counterfactual.climatik?.to, '1970-01-01T00:02:00.000Z', 'over the --duration');
  t.same(Object.keys(parsed.policies), ['default-spread', 'bin-pack', 'random', 'min-hr', 'climatik', 'lp-bound']);
  for (const [name, metrics] of Object.entries(parsed.policies)) {
    t.same(Object.keys(metrics).sort(), CONTRACT_KEYS, `${name} has exactly the contract keys`);
    for (const key of CONTRACT_KEYS) t.type(metrics[key], 'number', `${name}.${key} is a number`);
  }
});

await t.test('climatik simulate without --json: table on stdout, HTML report and JSON in --out', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'climatik-sim-'));
  const { code, stdout, stderr } = await climatik(['simulate', '--scenario', TINY, '--policies', 'default-spread,climatik,lp-bound', '--duration', '90', '--out', dir]);
  t.equal(code, 0);
  t.match(stdout, /policy\s+cooling kWh/);
  t.match(stdout, /climatik/);
  t.match(stderr, /policy 3\/4: climatik \(capper: Recommend\)/, 'the counterfactual twin has its own progress line');
  t.match(stderr, /policy 4\/4: lp-bound/, 'progress on stderr');
  t.match(stdout, /Counterfactual \(capper\), policy climatik: 4 guarded racks[^\n]*\n\s+mean power kW[^\n]*\nwith actions \(Enforce\)[^\n]*\nwithout \(Recommend only\)[^\n]*\nrecommendations \d+ \(Recommend replay\), taken \d+ \(Enforce replay\)\nverdict: /);
  const html = await readFile(join(dir, 'index.html'), 'utf8');
  t.match(html, /<svg/);
  t.notMatch(html, /<script|https?:\/\/(?!www\.w3\.org)/, 'self-contained: no scripts, no external resources');
  t.match(html, /Counterfactual \(capper\): climatik/);
  const json = JSON.parse(await readFile(join(dir, 'results.json'), 'utf8')) as { policies: Record<string, unknown>; counterfactual: Record<string, unknown> };
  t.same(Object.keys(json.policies), ['default-spread', 'climatik', 'lp-bound']);
  t.same(Object.keys(json.counterfactual), ['climatik'], 'results.json is the same contract');
});

await t.test('bad flags: usage errors that name the flag, exit code 1', async (t) => {
  const cases: [string[], RegExp][] = [
    [['--load-scale', 'abc'], /--load-scale/],
    [['--duration', '-5'], /--duration/],
    [['--seed', '1.5'], /--seed/],
    [['--policies', 'default-spread,nope'], /--policies: unknown policy nope/],
    [['--policies', 'random,random'], /--policies: policy listed twice/],
    [['--frobnicate'], /frobnicate/],
    [['extra'], /positional/],
    [['--trace', '/no/such.csv'], /\/no\/such\.csv/],
  ];
  for (const [args, message] of cases) {
    const { code, stderr } = await climatik(['simulate', '--scenario', TINY, ...args]);
    t.equal(code, 1, args.join(' '));
    t.match(stderr, message, args.join(' '));
  }
});

await t.test('--help prints the usage and exits 0', async (t) => {
  const { code, stdout } = await climatik(['simulate', '--help']);
  t.equal(code, 0);
  t.match(stdout, /--load-scale X/);
});

await t.test('parsePolicies keeps the order given', async (t) => {
  t.same(parsePolicies('climatik, default-spread'), ['climatik', 'default-spread']);
  t.equal(parsePolicies(undefined), undefined);
  t.throws(() => parsePolicies(' , '), { code: 'CLIMATIK_USAGE' });
});
