// The extender's Prometheus metrics, on a registry passed in (tests and several apps per process
// must not share prom-client's global one).
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface ExtenderMetrics {
  readonly registry: Registry;
  readonly requestSeconds: Histogram<'verb' | 'status'>;
  readonly decisions: Counter<'verb' | 'outcome' | 'reason'>;
  readonly unknownNodes: Counter<'verb'>;
  readonly badRequests: Counter<'verb' | 'code'>;
  readonly topologyReloads: Counter<'result'>;
  readonly planSolves: Counter<'outcome'>;
  readonly binds: Counter<'outcome'>;
  readonly informerRestarts: Counter<'informer'>;
}

export interface AgeProbes {
  planAgeSeconds(): number | undefined;
  telemetryAgeSeconds(): number | undefined;
  ledgerEntries(): number;
}

export function createMetrics(registry: Registry, probes: AgeProbes): ExtenderMetrics {
  const registers = [registry];
  new Gauge({
    name: 'climatik_extender_plan_age_seconds',
    help: 'Age of the placement plan the extender scores with (absent: no plan yet)',
    registers,
    collect() {
      this.reset();
      const age = probes.planAgeSeconds();
      if (age !== undefined) this.set(age);
    },
  });
  new Gauge({
    name: 'climatik_extender_telemetry_age_seconds',
    help: 'Age of the latest power snapshot (absent: none yet)',
    registers,
    collect() {
      this.reset();
      const age = probes.telemetryAgeSeconds();
      if (age !== undefined) this.set(age);
    },
  });
  new Gauge({
    name: 'climatik_extender_ledger_entries',
    help: 'Pods bound since the last telemetry sample, counted against their racks',
    registers,
    collect() {
      this.set(probes.ledgerEntries());
    },
  });
  return {
    registry,
    requestSeconds: new Histogram({
      name: 'climatik_extender_request_duration_seconds',
      help: 'Extender request latency by verb',
      labelNames: ['verb', 'status'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    decisions: new Counter({
      name: 'climatik_extender_decisions_total',
      help: 'Per-node decisions by verb, outcome (pass, fail, unresolvable, scored) and reason (predicate name)',
      labelNames: ['verb', 'outcome', 'reason'],
      registers,
    }),
    unknownNodes: new Counter({ name: 'climatik_extender_unknown_nodes_total', help: 'Candidate nodes in no known rack', labelNames: ['verb'], registers }),
    badRequests: new Counter({ name: 'climatik_extender_bad_requests_total', help: 'Requests answered 400', labelNames: ['verb', 'code'], registers }),
    topologyReloads: new Counter({
      name: 'climatik_extender_topology_reloads_total',
      help: 'Topology edits by result (accepted, rejected, unchanged)',
      labelNames: ['result'],
      registers,
    }),
    planSolves: new Counter({ name: 'climatik_extender_plan_solves_total', help: 'Background plan solves by outcome', labelNames: ['outcome'], registers }),
    binds: new Counter({ name: 'climatik_extender_binds_total', help: 'Bind calls by outcome', labelNames: ['outcome'], registers }),
    informerRestarts: new Counter({ name: 'climatik_extender_informer_restarts_total', help: 'Informer restarts after errors', labelNames: ['informer'], registers }),
  };
}
