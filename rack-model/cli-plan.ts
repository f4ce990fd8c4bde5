// `climatik plan --topology FILE --power FILE --demand-w WATTS [--planner lp|greedy] [--json]`.
// Infeasible demand is an answer (exit 0, feasible: false, reason); invalid input is an error
// naming the field (exit 1 through cli/main). Warnings go to stderr so --json stdout stays one object.
import { ClimatikError, numberFlag, parseCommandArgs, readDocument, requireFlag } from '../common/index.js';
import { processIo, type CliIo } from './cli-io.js';
import { planners, type PlannerName } from './planners.js';
import { parseRackPowerFile } from './rack-power.js';
import { inletTemperaturesC, thermalDetail } from './thermal.js';
import { loadTopologyFile } from './topology-file.js';
import type { PlanResult, RackPowerW, Topology } from './types.js';

const USAGE = `usage: climatik plan --topology FILE --power FILE --demand-w WATTS [--planner lp|greedy] [--json]

Places WATTS of new load over the racks, minimising the peak inlet temperature within rack budgets.
  --topology FILE   RackTopology YAML/JSON
  --power FILE      current rack power: {"rackPowerW": {"r01": 12000, ...}}
  --demand-w WATTS  power to place (one pod or a batch), >= 0
  --planner NAME    lp (default) or greedy
  --json            print one JSON object instead of a table
`;

const OPTIONS = {
  topology: { type: 'string' },
  power: { type: 'string' },
  'demand-w': { type: 'string' },
  planner: { type: 'string', default: 'lp' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function run(args: string[], io: CliIo = processIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, OPTIONS, 'plan');
  if (values.help === true) {
    io.out.write(USAGE);
    return 0;
  }
  if (positionals.length > 0) {
    throw new ClimatikError('CLIMATIK_USAGE', `plan: unexpected argument ${positionals[0]}`, {
      issues: [{ path: 'argv', message: 'unexpected positional argument', value: positionals }],
    });
  }
  const topologyPath = requireFlag(values.topology, 'topology');
  const powerPath = requireFlag(values.power, 'power');
  const demandW = requireFlag(numberFlag(values['demand-w'], 'demand-w', { min: 0 }), 'demand-w');
  const plannerName = values.planner;
  if (!isPlannerName(plannerName)) {
    throw new ClimatikError('CLIMATIK_USAGE', '--planner must be lp or greedy', {
      issues: [{ path: '--planner', message: `expected one of ${Object.keys(planners).join(', ')}`, value: plannerName }],
    });
  }
  const topology = await loadTopologyFile(topologyPath);
  const rackPowerW = parseRackPowerFile(await readDocument(powerPath), topology, powerPath);
  const result = planners[plannerName].plan({ topology, rackPowerW, demandW });
  for (const w of result.warnings ?? []) io.err.write(`climatik plan: warning: ${w}\n`);
  io.out.write(values.json ? `${JSON.stringify(jsonView(result))}\n` : table(topology, rackPowerW, result));
  return 0;
}

function isPlannerName(name: string): name is PlannerName {
  return Object.hasOwn(planners, name);
}

/** The CLI contract's JSON object, fields in the documented order. */
export function jsonView(result: PlanResult): Record<string, unknown> {
  return {
    feasible: result.feasible,
    ...(result.feasible ? {} : { reason: result.reason }),
    peakInletC: result.peakInletC,
    maxSupplyTemperatureC: result.maxSupplyTemperatureC,
    coolingPowerW: result.coolingPowerW,
    allocationW: result.allocationW,
  };
}

function table(topology: Topology, rackPowerW: RackPowerW, result: PlanResult): string {
  const after = Object.fromEntries(topology.racks.map((r) => [r.id, (rackPowerW[r.id] ?? 0) + (result.allocationW[r.id] ?? 0)]));
  const inlet = inletTemperaturesC(topology, after);
  const header = ['rack', 'budget W', 'now W', 'plan +W', 'after W', 'inlet °C'];
  const rows = topology.racks.map((r, i) => [
    r.id,
    r.powerBudgetW.toFixed(0),
    (rackPowerW[r.id] ?? 0).toFixed(0),
    (result.allocationW[r.id] ?? 0).toFixed(1),
    (after[r.id] ?? 0).toFixed(1),
    (inlet[i] ?? 0).toFixed(2),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((row) => (row[c] ?? '').length)));
  const line = (cells: string[]): string => cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join('  ');
  const detail = thermalDetail(topology, after);
  const verdict = result.feasible ? 'feasible' : `INFEASIBLE: ${result.reason}`;
  return [
    `planner ${result.planner}: ${verdict}`,
    line(header),
    ...rows.map(line),
    `peak inlet ${result.peakInletC.toFixed(2)} °C at supply ${topology.supplyTemperatureC} °C (red line ${topology.redlineInletC} °C)`,
    `highest usable supply ${result.maxSupplyTemperatureC.toFixed(2)} °C: cooling ${result.coolingPowerW.toFixed(0)} W ` +
      `(at ${topology.supplyTemperatureC} °C: ${detail.coolingPowerAtSupplyW.toFixed(0)} W) for ${detail.itPowerW.toFixed(0)} W of IT load`,
    '',
  ].join('\n');
}
