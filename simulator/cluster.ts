// The machine room: GPU nodes in racks, what is allocated on them, and the electrical power they
// draw. Node power = host idle + every GPU (allocated or not) + host overhead that follows GPU load
// (CPU feeding the GPUs, NVSwitch, fans).
import type { Topology } from '../rack-model/types.js';
import { ClimatikError } from '../common/index.js';
import type { GpuPowerSpec } from './gpu-power.js';
import type { Replica } from './replica.js';

export interface NodeHardware {
  readonly gpus: number;
  readonly cpuMillicores: number;
  readonly memoryMiB: number;
  /** Host power with every GPU idle, excluding the GPUs (W). */
  readonly hostIdleW: number;
  /** Host watts added per watt of GPU power above idle (fans, CPUs, NVSwitch). */
  readonly hostDynamicFraction: number;
}

export interface PodRequest {
  readonly gpus: number;
  readonly cpuMillicores: number;
  readonly memoryMiB: number;
}

export class SimNode {
  gpusUsed = 0;
  cpuUsed = 0;
  memoryUsed = 0;
  readonly replicas = new Set<Replica>();
  /** Per-GPU power limit applied by the node agent (W); the GPU default when uncapped. */
  gpuLimitW: number;

  constructor(
    readonly name: string,
    readonly rackId: string,
    readonly rackIndex: number,
    readonly hw: NodeHardware,
    gpu: GpuPowerSpec,
  ) {
    this.gpuLimitW = gpu.maxLimitW;
  }

  fits(req: PodRequest): boolean {
    return this.gpusUsed + req.gpus <= this.hw.gpus && this.cpuUsed + req.cpuMillicores <= this.hw.cpuMillicores && this.memoryUsed + req.memoryMiB <= this.hw.memoryMiB;
  }

  allocate(replica: Replica, req: PodRequest): void {
    this.gpusUsed += req.gpus;
    this.cpuUsed += req.cpuMillicores;
    this.memoryUsed += req.memoryMiB;
    this.replicas.add(replica);
    replica.limitW = this.gpuLimitW;
  }

  release(replica: Replica, req: PodRequest): void {
    if (!this.replicas.delete(replica)) return;
    this.gpusUsed -= req.gpus;
    this.cpuUsed -= req.cpuMillicores;
    this.memoryUsed -= req.memoryMiB;
  }

  setGpuLimit(limitW: number): void {
    this.gpuLimitW = limitW;
    for (const r of this.replicas) r.limitW = limitW;
  }

  /** Mean electrical power over the last step (W), from each replica's GPU power. */
  powerW(gpu: GpuPowerSpec): number {
    let gpuW = 0;
    let busyGpus = 0;
    for (const r of this.replicas) {
      const g = r.gpus;
      gpuW += g * r.gpuPowerW;
      busyGpus += g;
    }
    gpuW += (this.hw.gpus - busyGpus) * gpu.idleW;
    const aboveIdleW = Math.max(0, gpuW - this.hw.gpus * gpu.idleW);
    return this.hw.hostIdleW + gpuW + this.hw.hostDynamicFraction * aboveIdleW;
  }
}

export class Cluster {
  readonly nodes: SimNode[];
  readonly byName: ReadonlyMap<string, SimNode>;
  /** Nodes of each rack, by rack index. */
  readonly rackNodes: SimNode[][];

  constructor(
    readonly topology: Topology,
    hw: NodeHardware,
    gpu: GpuPowerSpec,
    nodesPerRack: number,
  ) {
    this.rackNodes = topology.racks.map((rack) => {
      const names = rack.nodes.length > 0 ? rack.nodes : Array.from({ length: nodesPerRack }, (_, i) => `${rack.id}-n${i}`);
      return names.map((name) => new SimNode(name, rack.id, rack.index, hw, gpu));
    });
    this.nodes = this.rackNodes.flat();
    const byName = new Map<string, SimNode>();
    for (const n of this.nodes) {
      if (byName.has(n.name)) {
        throw new ClimatikError('CLIMATIK_TOPOLOGY_INVALID', `node ${n.name} is listed in two racks`, { issues: [{ path: '/racks', message: 'duplicate node name', value: n.name }] });
      }
      byName.set(n.name, n);
    }
    this.byName = byName;
  }

  get totalGpus(): number {
    return this.nodes.reduce((s, n) => s + n.hw.gpus, 0);
  }

  get gpusAllocated(): number {
    return this.nodes.reduce((s, n) => s + n.gpusUsed, 0);
  }
}
