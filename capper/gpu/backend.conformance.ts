// One conformance suite for every GpuPowerBackend (run by backend.test.ts against the in-memory fake
// and against nvidia-smi through the fake nvidia-smi executable).
import type { Test } from 'tap';
import { GpuBackendError, type GpuPowerBackend } from './backend.js';

export interface BackendHarness {
  readonly backend: GpuPowerBackend;
  reloadDriver(): Promise<void>;
  persistenceMode(): Promise<boolean>;
}

export type HarnessFactory = (gpus: { defaultLimitW: number; minLimitW: number; maxLimitW: number }[], opts: { root: boolean }) => Promise<BackendHarness>;

const TWO_GPUS = [
  { defaultLimitW: 700, minLimitW: 200, maxLimitW: 700 },
  { defaultLimitW: 400, minLimitW: 150, maxLimitW: 450 },
];

async function failureKind(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'no error';
  } catch (err) {
    return err instanceof GpuBackendError ? err.kind : `not a GpuBackendError: ${String(err)}`;
  }
}

export function gpuBackendConformance(t: Test, name: string, make: HarnessFactory): void {
  void t.test(`${name}: lists every GPU with its limits`, async (t) => {
    const { backend } = await make(TWO_GPUS, { root: true });
    const gpus = await backend.list();
    t.same(
      gpus.map((g) => [g.index, g.powerLimitW, g.enforcedPowerLimitW, g.defaultPowerLimitW, g.minPowerLimitW, g.maxPowerLimitW]),
      [[0, 700, 700, 700, 200, 700], [1, 400, 400, 400, 150, 450]],
    );
    t.equal(new Set(gpus.map((g) => g.uuid)).size, 2, 'distinct uuids');
  });

  void t.test(`${name}: a limit within range is enforced and reads back`, async (t) => {
    const { backend } = await make(TWO_GPUS, { root: true });
    await backend.setPowerLimit(1, 300);
    const [g0, g1] = await backend.list();
    t.same([g0?.enforcedPowerLimitW, g1?.enforcedPowerLimitW, g1?.powerLimitW], [700, 300, 300]);
  });

  void t.test(`${name}: out-of-range limits are refused and change nothing`, async (t) => {
    const { backend } = await make(TWO_GPUS, { root: true });
    t.equal(await failureKind(backend.setPowerLimit(0, 100)), 'out-of-range');
    t.equal(await failureKind(backend.setPowerLimit(1, 500)), 'out-of-range');
    t.same((await backend.list()).map((g) => g.powerLimitW), [700, 400]);
  });

  void t.test(`${name}: without root nothing can be changed`, async (t) => {
    const h = await make(TWO_GPUS, { root: false });
    t.equal(await failureKind(h.backend.setPowerLimit(0, 300)), 'permission');
    t.equal(await failureKind(h.backend.enablePersistenceMode()), 'permission');
    t.same((await h.backend.list()).map((g) => g.powerLimitW), [700, 400], 'reading still works');
  });

  void t.test(`${name}: an unknown GPU index is refused`, async (t) => {
    const { backend } = await make(TWO_GPUS, { root: true });
    t.equal(await failureKind(backend.setPowerLimit(7, 300)), 'no-device');
  });

  void t.test(`${name}: persistence mode, and a driver reload drops limits and persistence`, async (t) => {
    const h = await make(TWO_GPUS, { root: true });
    await h.backend.enablePersistenceMode();
    await h.backend.setPowerLimit(0, 350);
    t.equal(await h.persistenceMode(), true);
    await h.reloadDriver();
    t.equal(await h.persistenceMode(), false);
    t.same((await h.backend.list()).map((g) => g.powerLimitW), [700, 400]);
  });

  void t.test(`${name}: restoring the default limit`, async (t) => {
    const { backend } = await make(TWO_GPUS, { root: true });
    await backend.setPowerLimit(0, 300);
    await backend.setPowerLimit(0, 700);
    t.equal((await backend.list())[0]?.enforcedPowerLimitW, 700);
  });
}
