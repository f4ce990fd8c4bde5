// Wires the extender's moving parts for either mode: topology store, power source, ledger, pending
// demand, background plan store and ledger upkeep, and the fastify app. main.ts chooses the mode
// (files offline, API server in a cluster) and listens; tests build a runtime without a socket.
import type { Registry } from 'prom-client';
import type { Clock, Logger } from '../common/index.js';
import { planners } from '../rack-model/index.js';
import { buildExtender, type BuiltExtender } from './app.js';
import type { Binder } from './binder.js';
import type { InformerSync, TlsSettings } from './context.js';
import { ms, podPowerConfig, type ExtenderConfig } from './config.js';
import { BindLedger } from './ledger.js';
import { planInputs, type NodeLabelSource, type PlacementSources } from './placement.js';
import { PlanStore } from './plan-store.js';
import { WorkerPlanner } from './plan-worker.js';
import { PendingDemand } from './pod-tracking.js';
import type { PowerSource } from './power-source.js';
import { TopologyStore } from './topology-store.js';
import type { PolicyStatusSource } from './ui/index.js';

export interface RuntimeParts {
  readonly config: Readonly<ExtenderConfig>;
  readonly store: TopologyStore;
  readonly power: PowerSource;
  readonly binder: Binder | undefined;
  readonly nodeLabels?: NodeLabelSource;
  readonly logger: Logger;
  readonly registry: Registry;
  readonly clock: Clock;
  readonly tls?: TlsSettings | undefined;
  /** Cluster mode: when the informers first synced (readiness and /filter wait for them). */
  readonly informers?: InformerSync;
  /** Cluster mode: PowerCappingPolicies for the status page. */
  readonly policyStatusSource?: PolicyStatusSource;
}

export interface ExtenderRuntime extends BuiltExtender {
  readonly ledger: BindLedger;
  readonly pending: PendingDemand;
  readonly plans: PlanStore;
  /** Starts the power source, the plan loop and ledger upkeep. */
  start(): void;
  stop(): Promise<void>;
  /** One upkeep pass: drop in-flight binds the Pod informer never confirmed within `ledgerMaxAge`. */
  upkeep(): number;
}

export async function buildRuntime(parts: RuntimeParts): Promise<ExtenderRuntime> {
  const { config, clock, logger } = parts;
  const ledger = new BindLedger();
  const pending = new PendingDemand();
  const staleAfterMs = ms(config.telemetry.staleAfter);
  const warmupMs = ms(config.ledgerWarmup);
  const sources: PlacementSources = { topology: parts.store, power: parts.power, ledger, plan: () => undefined, clock, staleAfterMs, warmupMs };
  // The plan store exists before the app (the app reads it); its solve counter lives in the app's metrics.
  const solves: { count?: (outcome: 'feasible' | 'infeasible' | 'error') => void } = {};
  const planner = config.plan.worker ? new WorkerPlanner(config.plan.planner, { deadlineMs: ms(config.plan.solveDeadline) }) : planners[config.plan.planner];
  const plans = new PlanStore({
    planner,
    inputs: () => planInputs(sources, Math.max(pending.totalW, config.plan.minDemandW)),
    clock,
    logger,
    debounceMs: ms(config.plan.debounce),
    onSolve: (outcome) => solves.count?.(outcome),
  });
  const built = await buildExtender({
    topology: parts.store,
    power: parts.power,
    plan: () => plans.latest(),
    ledger,
    binder: parts.binder,
    ...(parts.informers === undefined ? {} : { informers: parts.informers }),
    ...(parts.nodeLabels === undefined ? {} : { nodeLabels: parts.nodeLabels }),
    ...(parts.policyStatusSource === undefined ? {} : { policyStatusSource: parts.policyStatusSource }),
    logger,
    registry: parts.registry,
    clock,
    settings: {
      bodyLimitBytes: config.bodyLimitBytes,
      unknownNodePolicy: config.unknownNodePolicy,
      staleAfterMs,
      ledgerWarmupMs: warmupMs,
      podPower: podPowerConfig(config),
      readyWithoutTelemetry: config.telemetry.readyWithoutTelemetry,
      ...(parts.tls === undefined ? {} : { tls: parts.tls }),
    },
  });
  solves.count = (outcome) => built.context.metrics.planSolves.inc({ outcome });
  parts.store.onChange(() => plans.notify());

  // Only in-flight binds the Pod informer never confirmed expire; confirmed entries leave with their pod.
  const upkeep = (): number => ledger.pruneUnconfirmed(clock.nowMs() - ms(config.ledgerMaxAge));
  let upkeepTimer: NodeJS.Timeout | undefined;

  return {
    ...built,
    ledger,
    pending,
    plans,
    upkeep,
    start() {
      parts.power.start();
      plans.start(ms(config.plan.refresh));
      upkeepTimer = setInterval(upkeep, ms(config.plan.refresh));
      upkeepTimer.unref();
    },
    async stop() {
      if (upkeepTimer !== undefined) clearInterval(upkeepTimer);
      plans.stop();
      if ('close' in planner) await planner.close();
      await built.app.close();
      await parts.power.stop();
    },
  };
}
