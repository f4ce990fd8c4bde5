// Runs one planner on one seeded problem in a worker thread, so the benchmark can stop a solve that
// runs past its time limit (a synchronous simplex cannot be interrupted from its own thread).
import { parentPort, workerData } from 'node:worker_threads';
import { planners, type PlannerName } from '../rack-model/index.js';
import { planProblem } from './plan-problems.js';

interface Job {
  readonly planner: PlannerName;
  readonly racks: number;
  readonly seed: number;
}

const job = workerData as Job;
// Warm the JIT on a small problem so the timed solve is not a cold start in a fresh thread.
planners[job.planner].plan(planProblem(10, 1_000_003));
const request = planProblem(job.racks, job.seed);
const started = performance.now();
const result = planners[job.planner].plan(request);
const ms = performance.now() - started;
parentPort?.postMessage({ ms, feasible: result.feasible, peakRiseC: result.peakInletC - request.topology.supplyTemperatureC });
