// In-memory GpuPowerBackend for unit tests, with the same rules as nvidia-smi (checked by the shared
// conformance suite): root needed to change anything, limits within [min, max], unknown index
// refused, and a driver reload drops every limit back to its default.
import { GpuBackendError, type GpuPowerBackend, type GpuStatus } from './backend.js';

export interface FakeGpu {
  uuid: string;
  powerDrawW: number;
  powerLimitW: number;
  defaultLimitW: number;
  minLimitW: number;
  maxLimitW: number;
}

export class FakeGpuBackend implements GpuPowerBackend {
  readonly name = 'fake';
  root = true;
  persistenceMode = false;
  readonly calls: string[] = [];

  constructor(readonly gpus: FakeGpu[]) {}

  async list(): Promise<GpuStatus[]> {
    this.calls.push('list');
    return this.gpus.map((g, index) => ({
      index,
      uuid: g.uuid,
      powerDrawW: g.powerDrawW,
      powerLimitW: g.powerLimitW,
      enforcedPowerLimitW: Math.min(g.powerLimitW, g.maxLimitW),
      defaultPowerLimitW: g.defaultLimitW,
      minPowerLimitW: g.minLimitW,
      maxPowerLimitW: g.maxLimitW,
    }));
  }

  async enablePersistenceMode(): Promise<void> {
    this.calls.push('pm 1');
    if (!this.root) throw new GpuBackendError('permission', 'Unable to set persistence mode: Insufficient Permissions');
    this.persistenceMode = true;
  }

  async setPowerLimit(index: number, limitW: number): Promise<void> {
    this.calls.push(`pl ${index} ${limitW}`);
    const g = this.gpus[index];
    if (g === undefined) throw new GpuBackendError('no-device', 'No devices were found');
    if (limitW < g.minLimitW || limitW > g.maxLimitW) {
      throw new GpuBackendError('out-of-range', `Provided power limit ${limitW} W is not a valid power limit which should be between ${g.minLimitW} W and ${g.maxLimitW} W`);
    }
    if (!this.root) throw new GpuBackendError('permission', 'Failed to set power management limit: Insufficient Permissions');
    g.powerLimitW = limitW;
  }

  /** What a driver reload or reboot does: limits and persistence mode are lost. */
  reloadDriver(): void {
    for (const g of this.gpus) g.powerLimitW = g.defaultLimitW;
    this.persistenceMode = false;
  }
}
