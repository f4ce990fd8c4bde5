// The one `climatik` CLI. Each subcommand lives with its component, in a module exporting
// `run(args: string[]): Promise<number>` (the exit code); modules load lazily so `climatik plan`
// does not pay for fastify or the Kubernetes client.
import { ClimatikError, isClimatikError } from '../common/index.js';

type CommandModule = { run(args: string[]): Promise<number> };

interface CommandEntry {
  readonly summary: string;
  readonly load: () => Promise<CommandModule>;
}

/** Subcommand name (possibly two words, e.g. `topology validate`) → module. */
export const COMMANDS: Readonly<Record<string, CommandEntry>> = {
  'topology validate': { summary: 'check a rack topology file and list every problem', load: () => import('../rack-model/cli-topology-validate.js') },
  plan: { summary: 'place a power demand over the racks (LP or greedy)', load: () => import('../rack-model/cli-plan.js') },
  extender: { summary: 'serve the kube-scheduler extender (filter, prioritize, bind)', load: () => import('../extender/main.js') },
  capper: { summary: 'keep racks under their power cap (PowerCappingPolicy controller)', load: () => import('../capper/main.js') },
  report: { summary: 'counterfactual report of a PowerCappingPolicy: with vs without its actions', load: () => import('../capper/cli-report.js') },
  'node-agent': { summary: 'apply per-GPU power limits from this Node\'s annotation with nvidia-smi', load: () => import('../capper/node-agent/main.js') },
  'telemetry snapshot': { summary: 'read rack, node and pod power once from Prometheus (check the queries)', load: () => import('../telemetry/cli.js') },
  simulate: { summary: 'replay an LLM trace on a simulated GPU room under each placement policy', load: () => import('../simulator/cli.js') },
};

export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length), 8);
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return ['usage: climatik <command> [options]', '', 'commands:', ...lines, '', 'climatik <command> --help for its options'].join('\n');
}

/** Finds the longest command name that prefixes argv (two-word commands first). */
export function resolveCommand(argv: readonly string[]): { name: string; rest: string[] } | undefined {
  for (const words of [2, 1]) {
    const name = argv.slice(0, words).join(' ');
    if (argv.length >= words && name in COMMANDS) return { name, rest: argv.slice(words) };
  }
  return undefined;
}

export async function main(argv: readonly string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    process.stdout.write(`${usage()}\n`);
    return argv.length === 0 ? 2 : 0;
  }
  const found = resolveCommand(argv);
  if (found === undefined) {
    process.stderr.write(`climatik: unknown command "${argv.join(' ')}"\n\n${usage()}\n`);
    return 2;
  }
  try {
    const entry = COMMANDS[found.name];
    if (entry === undefined) throw new ClimatikError('CLIMATIK_USAGE', `unknown command ${found.name}`);
    const mod = await entry.load();
    return await mod.run(found.rest);
  } catch (err) {
    if (isClimatikError(err)) {
      process.stderr.write(`climatik ${found.name}: ${err.describe()}\n`);
      return 1;
    }
    throw err;
  }
}
