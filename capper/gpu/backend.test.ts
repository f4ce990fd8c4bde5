import t from 'tap';
import { createFakeSmi, readFakeSmiState, reloadDriver } from '../../test/fake-nvidia-smi/fake-state.js';
import { gpuBackendConformance } from './backend.conformance.js';
import { FakeGpuBackend } from './fake-backend.js';
import { nvidiaSmiBackend, parseQueryCsv } from './nvidia-smi-backend.js';

gpuBackendConformance(t, 'in-memory fake', async (gpus, opts) => {
  const backend = new FakeGpuBackend(
    gpus.map((g, i) => ({ uuid: `GPU-${i}`, powerDrawW: 100, powerLimitW: g.defaultLimitW, defaultLimitW: g.defaultLimitW, minLimitW: g.minLimitW, maxLimitW: g.maxLimitW })),
  );
  backend.root = opts.root;
  return { backend, reloadDriver: async () => backend.reloadDriver(), persistenceMode: async () => backend.persistenceMode };
});

gpuBackendConformance(t, 'nvidia-smi (fake executable on PATH)', async (gpus, opts) => {
  const { stateFile, env } = await createFakeSmi(gpus, opts);
  return {
    backend: nvidiaSmiBackend({ env }),
    reloadDriver: () => reloadDriver(stateFile),
    persistenceMode: async () => (await readFakeSmiState(stateFile)).persistenceMode,
  };
});

void t.test('nvidia-smi: the exact command lines (no shell, persistence, index and watts)', async (t) => {
  const { stateFile, env } = await createFakeSmi([{ defaultLimitW: 700, minLimitW: 200, maxLimitW: 700 }]);
  const backend = nvidiaSmiBackend({ env });
  await backend.enablePersistenceMode();
  await backend.setPowerLimit(0, 412.5);
  await backend.list();
  t.same((await readFakeSmiState(stateFile)).calls.map((c) => c.args.join(' ')), [
    '-pm 1',
    '-i 0 -pl 412.50',
    '--query-gpu=index,uuid,power.draw,power.limit,enforced.power.limit,power.default_limit,power.min_limit,power.max_limit --format=csv,noheader,nounits',
  ]);
});

void t.test('nvidia-smi: driver not loaded and a missing binary are failures with the tool\'s message', async (t) => {
  const { stateFile, env } = await createFakeSmi([{ defaultLimitW: 700, minLimitW: 200, maxLimitW: 700 }]);
  const s = await readFakeSmiState(stateFile);
  s.driverLoaded = false;
  const { writeFakeSmiState } = await import('../../test/fake-nvidia-smi/fake-state.js');
  await writeFakeSmiState(stateFile, s);
  await t.rejects(nvidiaSmiBackend({ env }).list(), { kind: 'driver-unavailable', message: /couldn't communicate with the NVIDIA driver/ });
  await t.rejects(nvidiaSmiBackend({ binary: 'nvidia-smi-does-not-exist', env }).list(), { kind: 'failed', message: /ENOENT/ });
});

void t.test('CSV parsing: real rows, [N/A] power draw, malformed rows', async (t) => {
  const rows = parseQueryCsv(
    '0, GPU-96ab329d-7a1f-73a8-a9b7-18b4b2855f92, 78.75, 500.00, 500.00, 700.00, 200.00, 700.00\n1, GPU-1, [N/A], 300.00, 300.00, 350.00, 100.00, 350.00\n',
  );
  t.same(rows.map((r) => [r.index, r.powerDrawW, r.powerLimitW, r.defaultPowerLimitW]), [[0, 78.75, 500, 700], [1, undefined, 300, 350]]);
  t.throws(() => parseQueryCsv('0, GPU-1, 10\n'), { kind: 'failed', message: /unexpected row/ });
  t.throws(() => parseQueryCsv('0, GPU-1, 1, [N/A], 1, 1, 1, 1\n'), { kind: 'failed', message: /power.limit/ });
});
