// The LP plan lives off the request path: a background tick (and a debounced `notify()` on
// topology, power or pending-demand changes) recomputes it when its inputs moved; requests only
// read `latest()`. A planner failure keeps the previous plan.
import type { Clock, Logger } from '../common/index.js';
import type { PlanResult, Planner, RackPowerW, Topology } from '../rack-model/types.js';

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
  readonly planner: Planner;
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

  /** Solves now if the inputs changed since the last solve; returns whether it solved. */
  refresh(force = false): boolean {
    const inputs = this.opts.inputs();
    if (inputs === undefined) return false;
    const key = inputKey(inputs, this.opts.powerResolutionW ?? 50);
    if (!force && key === this.lastKey && this.stored !== undefined) return false;
    const startMs = performance.now();
    try {
      const plan = this.opts.planner.plan({ topology: inputs.topology, rackPowerW: inputs.rackPowerW, demandW: inputs.demandW });
      this.stored = { plan, computedAtMs: this.opts.clock.nowMs() };
      this.lastKey = key;
      this.opts.onSolve?.(plan.feasible ? 'feasible' : 'infeasible', performance.now() - startMs);
      if (!plan.feasible) this.opts.logger.info({ planner: plan.planner, reason: plan.reason }, 'placement plan infeasible');
      return true;
    } catch (err) {
      this.opts.onSolve?.('error', performance.now() - startMs);
      this.opts.logger.warn({ err }, 'planner failed; keeping the previous plan');
      return false;
    }
  }
}

function inputKey(inputs: PlanInputs, resolutionW: number): string {
  const powers = inputs.topology.racks.map((r) => Math.round((inputs.rackPowerW[r.id] ?? 0) / resolutionW));
  return `${inputs.topologyVersion}|${Math.round(inputs.demandW / resolutionW)}|${powers.join(',')}`;
}
