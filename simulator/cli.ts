// `climatik simulate`: the replay on the bundled scenario (or the one given), every policy on the
// same trace and seed. --json prints the contract object only; otherwise a progress bar on stderr,
// a table on stdout and an HTML report plus the JSON in --out.
import { mkdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ClimatikError, numberFlag, parseCommandArgs } from '../common/index.js';
import { renderHtmlReport } from './report-html.js';
import { comparisonTable, counterfactualSection, progressLine } from './report-table.js';
import { defaultScenarioPath, loadScenario } from './scenario.js';
import { POLICY_NAMES, type PolicyName } from './scenario-schema.js';
import { simulate, toJson } from './simulate.js';

export const USAGE = `usage: climatik simulate [--scenario FILE] [--topology FILE] [--trace FILE] [--policies a,b]
                         [--load-scale X] [--duration S] [--seed N] [--out DIR] [--json]

Replays an LLM inference trace on a simulated GPU room under each placement policy and compares
cooling energy, IT energy, budget and red-line violations, tokens served and latency.

  --scenario FILE   scenario YAML (default: the bundled data/scenarios/default.yaml)
  --topology FILE   RackTopology to use instead of the scenario's
  --trace FILE      trace (Azure LLM or timestamp_s,input_tokens,output_tokens CSV) for every service
  --policies a,b    subset of ${POLICY_NAMES.join(',')}
  --load-scale X    multiply the scenario's load (1 = as written, about 50 % of the GPUs)
  --duration S      simulated seconds (default: the trace length; longer loops the trace)
  --seed N          seed for every random choice (default: the scenario's)
  --out DIR         report folder (default ./climatik-report/)
  --json            print only {"policies": {...}, "counterfactual": {...}} on stdout

With a capping policy in the scenario (climatik.capping), the climatik policy is replayed a second
time in the other capper mode (Enforce vs Recommend) and a counterfactual summary is printed.`;

const OPTIONS = {
  scenario: { type: 'string' },
  topology: { type: 'string' },
  trace: { type: 'string' },
  policies: { type: 'string' },
  'load-scale': { type: 'string' },
  duration: { type: 'string' },
  seed: { type: 'string' },
  out: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function parsePolicies(text: string | undefined): PolicyName[] | undefined {
  if (text === undefined) return undefined;
  const names = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const known = new Set<string>(POLICY_NAMES);
  const bad = names.filter((n) => !known.has(n));
  const dupes = names.filter((n, i) => names.indexOf(n) !== i);
  if (names.length === 0 || bad.length > 0 || dupes.length > 0) {
    const message = names.length === 0 ? 'expected at least one policy' : bad.length > 0 ? `unknown policy ${bad.join(', ')}` : `policy listed twice: ${dupes.join(', ')}`;
    throw new ClimatikError('CLIMATIK_USAGE', `--policies: ${message} (known: ${POLICY_NAMES.join(', ')})`, {
      issues: [{ path: '--policies', message, value: text }],
    });
  }
  return names as PolicyName[];
}

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, OPTIONS, 'simulate');
  if (values.help === true) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (positionals.length > 0) {
    throw new ClimatikError('CLIMATIK_USAGE', `simulate takes no positional arguments, got ${positionals.join(' ')}`, {
      issues: [{ path: 'arguments', message: 'unexpected', value: positionals }],
    });
  }
  const scenario = await loadScenario(values.scenario ?? defaultScenarioPath(), {
    ...(values.topology === undefined ? {} : { topologyFile: values.topology }),
    ...(values.trace === undefined ? {} : { traceFile: values.trace }),
    ...optional('policies', parsePolicies(values.policies)),
    ...optional('loadScale', numberFlag(values['load-scale'], 'load-scale', { min: Number.MIN_VALUE })),
    ...optional('durationS', numberFlag(values.duration, 'duration', { min: Number.MIN_VALUE })),
    ...optional('seed', numberFlag(values.seed, 'seed', { integer: true })),
  });
  const json = values.json === true;
  const tty = process.stderr.isTTY;
  const result = simulate(scenario, (label, fraction, index, count) => {
    if (json) return;
    if (tty) process.stderr.write(`\r${progressLine(label, fraction, index, count)}\x1b[K`); // erase a longer previous label
    else if (fraction >= 1) process.stderr.write(`${progressLine(label, fraction, index, count)}\n`);
  });
  const contract = toJson(result);
  if (json) {
    process.stdout.write(`${JSON.stringify(contract)}\n`);
    return 0;
  }
  if (tty) process.stderr.write('\n');
  process.stdout.write(`${comparisonTable(result.runs)}\n`);
  for (const [name, report] of Object.entries(result.counterfactual)) process.stdout.write(`\n${counterfactualSection(name, report, scenario)}\n`);
  const outDir = resolve(values.out ?? 'climatik-report');
  await mkdir(outDir, { recursive: true });
  await writeFile(resolve(outDir, 'results.json'), `${JSON.stringify(contract, null, 2)}\n`);
  await writeFile(resolve(outDir, 'index.html'), renderHtmlReport(scenario, result));
  process.stdout.write(`\nreport: ${resolve(outDir, 'index.html')}\n`);
  return 0;
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}
