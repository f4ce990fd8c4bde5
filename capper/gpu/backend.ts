// The seam between the node agent and the GPUs: nvidia-smi in production, an in-memory fake in
// tests. Both pass one conformance suite (backend.conformance.ts), so the fake cannot drift from
// what nvidia-smi does.

export interface GpuStatus {
  readonly index: number;
  readonly uuid: string;
  /** undefined when the driver reports [N/A]. */
  readonly powerDrawW: number | undefined;
  /** The requested (software) limit. */
  readonly powerLimitW: number;
  /** What the GPU actually enforces (may be lower than requested, e.g. a board or thermal limit). */
  readonly enforcedPowerLimitW: number;
  readonly defaultPowerLimitW: number;
  readonly minPowerLimitW: number;
  readonly maxPowerLimitW: number;
}

export type GpuBackendFailure = 'permission' | 'out-of-range' | 'no-device' | 'driver-unavailable' | 'failed';

/** A backend failure with a stable kind (for metrics and retries) and the tool's own message. */
export class GpuBackendError extends Error {
  constructor(
    readonly kind: GpuBackendFailure,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GpuBackendError';
  }
}

export interface GpuPowerBackend {
  readonly name: string;
  list(): Promise<GpuStatus[]>;
  /** Persistence mode keeps the driver loaded between jobs, so limits are not dropped when idle. */
  enablePersistenceMode(): Promise<void>;
  /** Sets one GPU's limit; throws GpuBackendError (out-of-range, permission, no-device, ...). */
  setPowerLimit(index: number, limitW: number): Promise<void>;
}
