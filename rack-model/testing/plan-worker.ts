// Worker-thread entry for plan-in-worker.ts (tests only): parses each case's topology document,
// runs the named planner and posts every result as it finishes, so a solve that never returns is
// seen by the parent as a missed deadline instead of a hung test run.
import { parentPort, workerData } from 'node:worker_threads';
import { planners, type PlannerName } from '../planners.js';
import { parseTopology } from '../topology.js';
import type { WorkerCase, WorkerMessage } from './plan-in-worker.js';

const { planner, cases } = workerData as { planner: PlannerName; cases: readonly WorkerCase[] };
const post = (m: WorkerMessage): void => parentPort?.postMessage(m);

for (const [index, c] of cases.entries()) {
  post({ kind: 'start', index });
  try {
    const topology = parseTopology(c.topologyDoc, `case ${index}`);
    const result = planners[planner].plan({ topology, rackPowerW: c.rackPowerW, demandW: c.demandW });
    post({ kind: 'result', index, result });
  } catch (err) {
    post({ kind: 'error', index, message: err instanceof Error ? `${(err as { code?: string }).code ?? err.name}: ${err.message}` : String(err) });
  }
}
