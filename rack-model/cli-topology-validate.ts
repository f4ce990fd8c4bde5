// `climatik topology validate FILE`: every problem as `path: message (value: …)`, exit 1; or a
// one-line summary, exit 0. An unreadable or unparsable file is an error (exit 1 through cli/main).
import { ClimatikError, formatIssue, parseCommandArgs, readDocument } from '../common/index.js';
import { processIo, type CliIo } from './cli-io.js';
import { topologyIssues } from './topology-validate.js';
import { parseTopology } from './topology.js';

const USAGE = `usage: climatik topology validate FILE

Checks a RackTopology document (YAML or JSON) and prints every problem with its field path.
Exit status: 0 valid, 1 invalid or unreadable.
`;

export async function run(args: string[], io: CliIo = processIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { help: { type: 'boolean', short: 'h' } }, 'topology validate');
  if (values.help === true) {
    io.out.write(USAGE);
    return 0;
  }
  const [file, ...extra] = positionals;
  if (file === undefined || extra.length > 0) {
    throw new ClimatikError('CLIMATIK_USAGE', 'topology validate takes exactly one FILE', {
      issues: [{ path: 'FILE', message: 'expected exactly one file', value: positionals }],
    });
  }
  const doc = await readDocument(file);
  const issues = topologyIssues(doc);
  if (issues.length > 0) {
    io.out.write(`${file}: ${issues.length} problem(s)\n${issues.map((i) => `  ${formatIssue(i)}\n`).join('')}`);
    return 1;
  }
  const topo = parseTopology(doc, file);
  const nodes = topo.racks.reduce((n, r) => n + r.nodes.length, 0);
  io.out.write(
    `${file}: valid: ${topo.racks.length} racks, ${topo.matrixSource} recirculation matrix, ` +
      `${nodes} nodes listed, rack label ${topo.rackLabel}, supply ${topo.supplyTemperatureC} °C, red line ${topo.redlineInletC} °C\n`,
  );
  return 0;
}
