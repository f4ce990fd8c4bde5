// The seam every placement policy implements: given the room as the scheduler would see it, pick a
// node for one new replica (or none: the pod stays Pending and is retried next step).
import type { RackPowerW, Topology } from '../../rack-model/types.js';
import type { Cluster, PodRequest, SimNode } from '../cluster.js';

export interface PlacementRequest {
  readonly service: string;
  readonly pod: PodRequest;
  /** Expected power of the pod as the extender would estimate it (W). */
  readonly expectedPowerW: number;
}

/** What a telemetry pipeline would know: the last sample plus pods bound since, as the extender's ledger. */
export interface TelemetryView {
  readonly sampledAtS: number;
  readonly rackPowerW: RackPowerW;
  readonly boundSinceSampleW: RackPowerW;
}

export interface PlacementView {
  readonly nowS: number;
  readonly topology: Topology;
  readonly cluster: Cluster;
  readonly telemetry: TelemetryView;
}

export interface PlacementPolicy {
  readonly name: string;
  place(view: PlacementView, request: PlacementRequest): SimNode | undefined;
}

/** kube-scheduler's NodeResourcesFit filter: GPUs, CPU and memory must fit. */
export function feasibleNodes(cluster: Cluster, request: PlacementRequest): SimNode[] {
  return cluster.nodes.filter((n) => n.fits(request.pod));
}
