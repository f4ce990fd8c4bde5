// One reconcile of a node's GPUs against the desired per-GPU limit: clamp to each GPU's own
// [min, max], set only what differs (so re-applying every interval is cheap and repairs a driver
// reload), then read back what the GPUs enforce. No desired limit = the default limit.
import type { GpuPowerBackend, GpuStatus } from '../gpu/backend.js';

export interface AppliedGpu {
  readonly index: number;
  readonly uuid: string;
  readonly targetW: number;
  readonly enforcedW: number;
  readonly defaultW: number;
  readonly minW: number;
  readonly maxW: number;
}

/** What the agent reports on its Node (annotation climatik.io/gpu-power-limit-applied). */
export interface AppliedReport {
  readonly desiredW: number | null;
  readonly gpus: readonly AppliedGpu[];
  /** Setting calls made this round (0 when everything already matched). */
  readonly changed: number;
  readonly errors: readonly string[];
}

export function parseDesiredLimit(annotation: string | undefined): { desiredW: number | undefined; error?: string } {
  if (annotation === undefined) return { desiredW: undefined };
  const n = Number(annotation.trim());
  if (annotation.trim() === '' || !Number.isFinite(n) || n <= 0) {
    return { desiredW: undefined, error: `annotation value "${annotation}" is not a positive number of watts` };
  }
  return { desiredW: n };
}

export function targetFor(gpu: GpuStatus, desiredW: number | undefined): number {
  if (desiredW === undefined) return gpu.defaultPowerLimitW;
  return Math.min(gpu.maxPowerLimitW, Math.max(gpu.minPowerLimitW, desiredW));
}

export async function applyGpuLimit(backend: GpuPowerBackend, desiredW: number | undefined): Promise<AppliedReport> {
  const errors: string[] = [];
  const before = await backend.list();
  const pending = before.filter((g) => Math.abs(g.powerLimitW - targetFor(g, desiredW)) >= 0.5);
  let changed = 0;
  if (pending.length > 0) {
    // Persistence mode is lost with the driver too; turning it on is idempotent and cheap.
    await backend.enablePersistenceMode().catch((err: unknown) => errors.push(`persistence mode: ${message(err)}`));
    for (const g of pending) {
      try {
        await backend.setPowerLimit(g.index, targetFor(g, desiredW));
        changed++;
      } catch (err) {
        errors.push(`GPU ${g.index}: ${message(err)}`);
      }
    }
  }
  const after = pending.length > 0 ? await backend.list() : before;
  return {
    desiredW: desiredW ?? null,
    gpus: after.map((g) => ({
      index: g.index,
      uuid: g.uuid,
      targetW: targetFor(g, desiredW),
      enforcedW: g.enforcedPowerLimitW,
      defaultW: g.defaultPowerLimitW,
      minW: g.minPowerLimitW,
      maxW: g.maxPowerLimitW,
    })),
    changed,
    errors,
  };
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
