// The LP plan lives off the request path: a background tick (and a debounced `notify()` on
// topology, power or pending-demand changes) recomputes it when its inputs moved; requests only
// read `latest()`. A planner failure keeps the previous plan. With an AsyncPlanner (the worker
// thread, extender/plan-worker.ts) the solve does not even share the request thread; at most one
// solve runs at a time, and changes seen meanwhile trigger one more solve when it ends.
import type { Clock, Logger } from '../common/index.js';
import type { PlanRequest, PlanResult, Planner, RackPowerW, Topology } from '../rack-model/types.js';

/** A planner that solves elsewhere (a worker thread) and answers later. */
export interface AsyncPlanner {
  readonly name: string;
  plan(request: PlanRequest): Promise<PlanResult>;
  close(): Promise<void>;
}

export interface PlanInputs {
  readonly topology: Topology;
  readonly topologyVersion: number;
  readonly rackPowerW: RackPowerW;
  readonly demandW: number;
}

export interface StoredPlan {
  readonly plan: PlanResult;
  readonly computedAtMs: number;
}

export interface PlanStoreOptions {
  readonly planner: Planner | AsyncPlanner;
  readonly inputs: () => PlanInputs | undefined;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Wait this long after a change before solving, so a burst of changes costs one solve. */
  readonly debounceMs: number;
  /** Power differences below this many W per rack do not count as a change. */
  readonly powerResolutionW?: number;
  readonly onSolve?: (outcome: 'feasible' | 'infeasible' | 'error', durationMs: number) => void;
}

export class PlanStore {
  private stored: StoredPlan | undefined;
  private lastKey: string | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private ticker: NodeJS.Timeout | undefined;
  /** An async solve is running; `rerun` = inputs were looked at meanwhile and may have moved. */
  private inFlight: Promise<void> | undefined;
  private rerun = false;

  constructor(private readonly opts: PlanStoreOptions) {}

  latest(): StoredPlan | undefined {
    return this.stored;
  }

  /** Something changed: recompute after the debounce delay (at most one pending solve). */
  notify(): void {
    if (this.debounce !== undefined) return;
    this.debounce = setTimeout(() => {
      this.debounce = undefined;
      this.refresh();
    }, this.opts.debounceMs);
    this.debounce.unref();
  }

  /** Also polls the inputs every `intervalMs`, catching changes nobody notified (telemetry drift). */
  start(intervalMs: number): void {
    this.refresh();
    this.ticker = setInterval(() => this.refresh(), intervalMs);
    this.ticker.unref();
  }

  stop(): void {
    if (this.debounce !== undefined) clearTimeout(this.debounce);
    if (this.ticker !== undefined) clearInterval(this.ticker);
    this.debounce = undefined;
    this.ticker = undefined;
  }

  /** Resolves when no async solve is running (tests and shutdown). */
  async settled(): Promise<void> {
    while (this.inFlight !== undefined) await this.inFlight;
  }

  /**
   * Solves if the inputs changed since the last solve. Returns whether a solve happened (a
   * synchronous planner) or started (an async one: `latest()` changes when it ends).
   */
  refresh(force = false): boolean {
    if (this.inFlight !== undefined) {
      this.rerun = true;
      return false;
    }
    const inputs = this.opts.inputs();
    if (inputs === undefined) return false;
    const key = inputKey(inputs, this.opts.powerResolutionW ?? 50);
    if (!force && key === this.lastKey && this.stored !== undefined) return false;
    const startMs = performance.now();
    let outcome: PlanResult | Promise<PlanResult>;
    try {
      outcome = this.opts.planner.plan({ topology: inputs.topology, rackPowerW: inputs.rackPowerW, demandW: inputs.demandW });
    } catch (err) {
      this.failed(err, startMs);
      return false;
    }
    if (!(outcome instanceof Promise)) {
      this.solved(outcome, key, startMs);
      return true;
    }
    this.inFlight = outcome.then(
      (plan) => this.solved(plan, key, startMs),
      (err: unknown) => this.failed(err, startMs),
    ).finally(() => {
      this.inFlight = undefined;
      if (this.rerun) {
        this.rerun = false;
        this.refresh();
      }
    });
    return true;
  }

  private solved(plan: PlanResult, key: string, startMs: number): void {
    this.stored = { plan, computedAtMs: this.opts.clock.nowMs() };
    this.lastKey = key;
    this.opts.onSolve?.(plan.feasible ? 'feasible' : 'infeasible', performance.now() - startMs);
    if (!plan.feasible) this.opts.logger.info({ planner: plan.planner, reason: plan.reason }, 'placement plan infeasible');
  }

  private failed(err: unknown, startMs: number): void {
    this.opts.onSolve?.('error', performance.now() - startMs);
    this.opts.logger.warn({ err }, 'planner failed; keeping the previous plan');
  }
}

function inputKey(inputs: PlanInputs, resolutionW: number): string {
  const powers = inputs.topology.racks.map((r) => Math.round((inputs.rackPowerW[r.id] ?? 0) / resolutionW));
  return `${inputs.topologyVersion}|${Math.round(inputs.demandW / resolutionW)}|${powers.join(',')}`;
}
