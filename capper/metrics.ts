// The capper's Prometheus metrics, registered on a registry passed in (tests use their own).
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface CapperMetrics {
  readonly actions: Counter<'kind'>;
  readonly failures: Counter<'kind'>;
  readonly rackPowerW: Gauge<'policy' | 'rack' | 'kind'>;
  readonly actuationMs: Histogram;
  readonly reconcileMs: Histogram;
  readonly leader: Gauge;
  /** Re-reads of the topology file that found a change: applied, or rejected (last good one kept). */
  readonly topologyReloads: Counter<'result'>;
  /** 0 while the topology file on disk is invalid or unreadable and an older topology is in use. */
  readonly topologyFileValid: Gauge;
  /** Patches of this replica's Pod leader label (capper/leader-label.ts) that failed; retried. */
  readonly leaderLabelFailures: Counter;
}

export function capperMetrics(registry: Registry): CapperMetrics {
  const registers = [registry];
  return {
    actions: new Counter({ name: 'climatik_capper_actions_total', help: 'actions applied, by kind', labelNames: ['kind'], registers }),
    failures: new Counter({ name: 'climatik_capper_action_failures_total', help: 'actions that failed, by kind', labelNames: ['kind'], registers }),
    rackPowerW: new Gauge({ name: 'climatik_capper_rack_power_watts', help: 'measured, forecast and cap power per guarded rack', labelNames: ['policy', 'rack', 'kind'], registers }),
    actuationMs: new Histogram({ name: 'climatik_capper_actuation_milliseconds', help: 'API write latency of one action', buckets: [5, 10, 25, 50, 100, 250, 500, 1000, 5000], registers }),
    reconcileMs: new Histogram({ name: 'climatik_capper_reconcile_milliseconds', help: 'duration of one reconcile of all policies', buckets: [10, 50, 100, 250, 500, 1000, 5000, 30000], registers }),
    leader: new Gauge({ name: 'climatik_capper_is_leader', help: '1 while this replica holds the lease', registers }),
    topologyReloads: new Counter({ name: 'climatik_capper_topology_reloads_total', help: 'topology file changes seen, by result (applied|rejected)', labelNames: ['result'], registers }),
    topologyFileValid: new Gauge({ name: 'climatik_capper_topology_file_valid', help: '1 when the topology file on disk is the topology in use, 0 while an invalid edit is rejected', registers }),
    leaderLabelFailures: new Counter({ name: 'climatik_capper_leader_label_failures_total', help: 'failed patches of the climatik.io/capper-leader label on this replica\'s Pod (retried at the next lease renewal)', registers }),
  };
}
