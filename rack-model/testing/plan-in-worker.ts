// Test helper: runs a planner over a list of cases in a worker thread, each case with a deadline. A
// synchronous simplex that cycles cannot be interrupted from its own thread; in a worker, a solve
// that never returns becomes a rejected promise naming the case, and the worker is terminated.
import { Worker } from 'node:worker_threads';
import type { PlannerName } from '../planners.js';
import type { PlanResult } from '../types.js';

export interface WorkerCase {
  /** The topology as a plain document (parsed again in the worker: a Topology holds Maps). */
  readonly topologyDoc: unknown;
  readonly rackPowerW: Readonly<Record<string, number>>;
  readonly demandW: number;
}

export type WorkerMessage =
  | { readonly kind: 'start'; readonly index: number }
  | { readonly kind: 'result'; readonly index: number; readonly result: PlanResult }
  | { readonly kind: 'error'; readonly index: number; readonly message: string };

/** Per case: the plan, or the error its planner threw (code: message). */
export type WorkerOutcome = { readonly result: PlanResult } | { readonly error: string };

/**
 * Plans every case in order. Rejects when one case takes longer than `caseDeadlineMs` or the worker
 * dies. Each case's clock starts when the worker starts it: loading the worker (compiling the
 * TypeScript, slow on a loaded machine) is not counted against any solve.
 */
export function planInWorker(planner: PlannerName, cases: readonly WorkerCase[], caseDeadlineMs: number): Promise<WorkerOutcome[]> {
  return new Promise((resolve, reject) => {
    const outcomes: WorkerOutcome[] = [];
    let current = 0;
    let timer: NodeJS.Timeout | undefined;
    // The worker is TypeScript: it inherits this process's --import loader through execArgv.
    const worker = new Worker(new URL('./plan-worker.ts', import.meta.url), { workerData: { planner, cases } });
    const finish = (settle: () => void): void => {
      clearTimeout(timer);
      worker.removeAllListeners();
      void worker.terminate();
      settle();
    };
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        finish(() => reject(new Error(`${planner} planner: case ${current} of ${cases.length} did not return within ${caseDeadlineMs} ms`)));
      }, caseDeadlineMs);
    };
    worker.on('message', (m: WorkerMessage) => {
      if (m.kind === 'start') {
        current = m.index;
        arm();
        return;
      }
      outcomes[m.index] = m.kind === 'result' ? { result: m.result } : { error: m.message };
      if (outcomes.length === cases.length) finish(() => resolve(outcomes));
    });
    worker.once('error', (err) => finish(() => reject(err)));
    worker.once('exit', (code) => finish(() => reject(new Error(`plan worker exited with code ${code} after ${outcomes.length} of ${cases.length} cases`))));
  });
}
