// Runs the planner in a worker thread. The LP is synchronous: at 200 racks a solve takes ~1 s and
// at 500 racks ~30 s (benchmarks/plan-bench.ts), and on the main thread every filter/prioritize
// request would wait for it. In a worker the request path never blocks, and a solve that overruns
// its deadline (a cycling simplex) is cut off by terminating the worker: the plan store keeps the
// previous plan and the next solve starts a fresh worker.
import { Worker } from 'node:worker_threads';
import type { PlannerName } from '../rack-model/index.js';
import type { PlanRequest, PlanResult, RackPowerW, Topology } from '../rack-model/types.js';
import type { AsyncPlanner } from './plan-store.js';

/**
 * A Topology as it can cross a thread boundary. Its maps are FrozenMaps, whose entries live in a
 * private field that structured clone does not copy, so they travel as entry lists.
 */
export type WireTopology = Omit<Topology, 'rackIndex' | 'nodeRack'> & {
  readonly rackIndex: readonly (readonly [string, number])[];
  readonly nodeRack: readonly (readonly [string, string])[];
};

export function toWire(topology: Topology): WireTopology {
  return { ...topology, rackIndex: [...topology.rackIndex], nodeRack: [...topology.nodeRack] };
}

export function fromWire(wire: WireTopology): Topology {
  return { ...wire, rackIndex: new Map(wire.rackIndex), nodeRack: new Map(wire.nodeRack) };
}

export type ToPlanWorker =
  | { readonly kind: 'topology'; readonly topologyId: number; readonly topology: WireTopology }
  | { readonly kind: 'plan'; readonly id: number; readonly topologyId: number; readonly rackPowerW: RackPowerW; readonly demandW: number };

export type FromPlanWorker = { readonly id: number; readonly result: PlanResult } | { readonly id: number; readonly error: string };

export interface WorkerPlannerOptions {
  /** A solve taking longer than this is abandoned and its worker terminated. */
  readonly deadlineMs: number;
}

// Under tap the sources are TypeScript (the worker inherits the --import loader via execArgv);
// from dist/ they are JavaScript.
const ENTRY = new URL(import.meta.url.endsWith('.ts') ? './plan-worker-entry.ts' : './plan-worker-entry.js', import.meta.url);

interface Pending {
  readonly resolve: (r: PlanResult) => void;
  readonly reject: (e: Error) => void;
  readonly timer: NodeJS.Timeout;
}

export class WorkerPlanner implements AsyncPlanner {
  readonly name: string;
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /** Topology object → id, so a topology crosses the thread boundary once, not with every request. */
  private readonly topologyIds = new WeakMap<Topology, number>();
  private nextTopologyId = 1;
  private sentTopology: number | undefined;

  constructor(
    private readonly planner: PlannerName,
    private readonly opts: WorkerPlannerOptions,
  ) {
    this.name = planner;
  }

  plan(request: PlanRequest): Promise<PlanResult> {
    const worker = this.ensureWorker();
    let topologyId = this.topologyIds.get(request.topology);
    if (topologyId === undefined) {
      topologyId = this.nextTopologyId++;
      this.topologyIds.set(request.topology, topologyId);
    }
    if (this.sentTopology !== topologyId) {
      worker.postMessage({ kind: 'topology', topologyId, topology: toWire(request.topology) } satisfies ToPlanWorker);
      this.sentTopology = topologyId;
    }
    const id = this.nextId++;
    return new Promise<PlanResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.failAll(new Error(`${this.planner} planner: no plan within ${this.opts.deadlineMs} ms; worker restarted`));
      }, this.opts.deadlineMs);
      this.pending.set(id, { resolve, reject, timer });
      worker.postMessage({ kind: 'plan', id, topologyId, rackPowerW: request.rackPowerW, demandW: request.demandW } satisfies ToPlanWorker);
    });
  }

  async close(): Promise<void> {
    this.failAll(new Error('planner closed'));
  }

  private ensureWorker(): Worker {
    if (this.worker !== undefined) return this.worker;
    const worker = new Worker(ENTRY, { workerData: { planner: this.planner } });
    // The worker must not keep a shutting-down process alive.
    worker.unref();
    worker.on('message', (m: FromPlanWorker) => {
      const p = this.pending.get(m.id);
      if (p === undefined) return;
      this.pending.delete(m.id);
      clearTimeout(p.timer);
      if ('result' in m) p.resolve(m.result);
      else p.reject(new Error(m.error));
    });
    worker.on('error', (err) => this.failAll(err));
    worker.on('exit', (code) => {
      if (this.worker === worker) this.failAll(new Error(`plan worker exited with code ${code}`));
    });
    this.worker = worker;
    this.sentTopology = undefined;
    return worker;
  }

  /** Rejects every waiting solve and drops the worker; the next `plan` starts a new one. */
  private failAll(err: Error): void {
    const worker = this.worker;
    this.worker = undefined;
    this.sentTopology = undefined;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    this.pending.clear();
    if (worker !== undefined) {
      worker.removeAllListeners();
      void worker.terminate();
    }
  }
}
