// Worker-thread side of WorkerPlanner: receives topologies (once per version) and plan requests,
// answers each request with its plan or the planner's error message. Runs the same planners as
// `climatik plan` and the simulator; only the thread differs.
import { parentPort, workerData } from 'node:worker_threads';
import { planners, type PlannerName } from '../rack-model/index.js';
import type { Topology } from '../rack-model/types.js';
import { fromWire, type FromPlanWorker, type ToPlanWorker } from './plan-worker.js';

const port = parentPort;
if (port === null) throw new Error('plan-worker-entry must run in a worker thread');
const planner = planners[(workerData as { planner: PlannerName }).planner];
// Only the newest topologies are kept: the host sends a topology before the first request using it.
const topologies = new Map<number, Topology>();

port.on('message', (m: ToPlanWorker) => {
  if (m.kind === 'topology') {
    topologies.set(m.topologyId, fromWire(m.topology));
    for (const id of topologies.keys()) if (id < m.topologyId - 1) topologies.delete(id);
    return;
  }
  const topology = topologies.get(m.topologyId);
  let reply: FromPlanWorker;
  try {
    if (topology === undefined) throw new Error(`topology ${m.topologyId} was never sent to the worker`);
    reply = { id: m.id, result: planner.plan({ topology, rackPowerW: m.rackPowerW, demandW: m.demandW }) };
  } catch (err) {
    reply = { id: m.id, error: err instanceof Error ? err.message : String(err) };
  }
  port.postMessage(reply);
});
