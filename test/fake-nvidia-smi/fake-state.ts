// Helpers for tests that run the fake nvidia-smi: create its state file, read the recorded calls,
// and simulate what the real world does to GPUs (a driver reload drops every limit).
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FAKE_NVIDIA_SMI_DIR = dirname(fileURLToPath(import.meta.url));

export interface FakeGpuState {
  index: number;
  uuid: string;
  busId: string;
  powerDrawW: number | null;
  powerLimitW: number;
  defaultLimitW: number;
  minLimitW: number;
  maxLimitW: number;
}

export interface FakeSmiState {
  root: boolean;
  driverLoaded: boolean;
  persistenceMode: boolean;
  gpus: FakeGpuState[];
  calls: { args: string[]; exitCode: number }[];
}

export interface GpuSpec {
  readonly defaultLimitW: number;
  readonly minLimitW: number;
  readonly maxLimitW: number;
  readonly powerDrawW?: number | null;
}

/** Writes a fresh state file in a new temp dir and returns its path and the env to run the fake with. */
export async function createFakeSmi(gpus: readonly GpuSpec[], opts: { root?: boolean } = {}): Promise<{ stateFile: string; env: NodeJS.ProcessEnv }> {
  const dir = await mkdtemp(join(tmpdir(), 'fake-nvidia-smi-'));
  const stateFile = join(dir, 'state.json');
  const state: FakeSmiState = {
    root: opts.root ?? true,
    driverLoaded: true,
    persistenceMode: false,
    gpus: gpus.map((g, i) => ({
      index: i,
      uuid: `GPU-0000000${i}-1111-2222-3333-44444444444${i}`,
      busId: `00000000:${(0x18 + i).toString(16).toUpperCase()}:00.0`,
      powerDrawW: g.powerDrawW === undefined ? 250 : g.powerDrawW,
      powerLimitW: g.defaultLimitW,
      defaultLimitW: g.defaultLimitW,
      minLimitW: g.minLimitW,
      maxLimitW: g.maxLimitW,
    })),
    calls: [],
  };
  await writeFakeSmiState(stateFile, state);
  return { stateFile, env: fakeSmiEnv(stateFile) };
}

export function fakeSmiEnv(stateFile: string): NodeJS.ProcessEnv {
  return { ...process.env, PATH: `${FAKE_NVIDIA_SMI_DIR}:${process.env.PATH ?? ''}`, FAKE_NVIDIA_SMI_STATE: stateFile };
}

export async function readFakeSmiState(stateFile: string): Promise<FakeSmiState> {
  return JSON.parse(await readFile(stateFile, 'utf8')) as FakeSmiState;
}

export async function writeFakeSmiState(stateFile: string, state: FakeSmiState): Promise<void> {
  await writeFile(stateFile, JSON.stringify(state, null, 2));
}

export async function updateFakeSmiState(stateFile: string, change: (s: FakeSmiState) => void): Promise<void> {
  const s = await readFakeSmiState(stateFile);
  change(s);
  await writeFakeSmiState(stateFile, s);
}

/** A driver reload or reboot: every limit back to its default, persistence mode off. */
export async function reloadDriver(stateFile: string): Promise<void> {
  await updateFakeSmiState(stateFile, (s) => {
    for (const g of s.gpus) g.powerLimitW = g.defaultLimitW;
    s.persistenceMode = false;
  });
}
