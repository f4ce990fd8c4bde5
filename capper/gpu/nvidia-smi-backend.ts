// GpuPowerBackend over the nvidia-smi CLI: execFile (no shell, arguments never interpolated),
// CSV without header or units, exit codes mapped to failure kinds as documented in nvidia-smi(1):
// 2 invalid argument (also an out-of-range limit), 4 no permission, 6 no such device, 9 driver not loaded.
import { execFile } from 'node:child_process';
import { GpuBackendError, type GpuBackendFailure, type GpuPowerBackend, type GpuStatus } from './backend.js';

export const QUERY_FIELDS = [
  'index', 'uuid', 'power.draw', 'power.limit', 'enforced.power.limit', 'power.default_limit', 'power.min_limit', 'power.max_limit',
] as const;

export interface NvidiaSmiOptions {
  /** Executable name or path; resolved on PATH like a shell would. */
  readonly binary?: string;
  readonly timeoutMs?: number;
  readonly env?: NodeJS.ProcessEnv;
}

const EXIT_KINDS: Record<number, GpuBackendFailure> = { 2: 'out-of-range', 3: 'failed', 4: 'permission', 6: 'no-device', 9: 'driver-unavailable' };

export function nvidiaSmiBackend(options: NvidiaSmiOptions = {}): GpuPowerBackend {
  const binary = options.binary ?? 'nvidia-smi';
  const run = (args: string[]): Promise<string> =>
    new Promise((resolve, reject) => {
      execFile(binary, args, { timeout: options.timeoutMs ?? 10_000, env: options.env ?? process.env }, (err, stdout, stderr) => {
        if (err === null) return resolve(stdout);
        const code = typeof err.code === 'number' ? err.code : undefined;
        const text = `${stdout}${stderr}`.trim() || err.message;
        const kind = code === undefined ? 'failed' : (EXIT_KINDS[code] ?? 'failed');
        // exit 2 is any invalid argument; only the range message means the limit itself was refused.
        const refined = kind === 'out-of-range' && !/not a valid power limit/.test(text) ? 'failed' : kind;
        reject(new GpuBackendError(refined, `${binary} ${args.join(' ')} exited ${code ?? err.code ?? 'abnormally'}: ${text}`, { cause: err }));
      });
    });

  return {
    name: 'nvidia-smi',
    async list() {
      const out = await run([`--query-gpu=${QUERY_FIELDS.join(',')}`, '--format=csv,noheader,nounits']);
      return parseQueryCsv(out);
    },
    async enablePersistenceMode() {
      await run(['-pm', '1']);
    },
    async setPowerLimit(index, limitW) {
      await run(['-i', String(index), '-pl', limitW.toFixed(2)]);
    },
  };
}

/** Parses `--format=csv,noheader,nounits` rows of QUERY_FIELDS. Unreadable rows are an error, not skipped. */
export function parseQueryCsv(text: string): GpuStatus[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => {
      const cells = line.split(',').map((c) => c.trim());
      if (cells.length !== QUERY_FIELDS.length) throw new GpuBackendError('failed', `nvidia-smi: unexpected row "${line}"`);
      const [index, uuid, draw, limit, enforced, def, min, max] = cells;
      const num = (cell: string | undefined, field: string): number => {
        const n = Number(cell);
        if (cell === undefined || cell === '' || !Number.isFinite(n)) throw new GpuBackendError('failed', `nvidia-smi: ${field} is "${cell}" in "${line}"`);
        return n;
      };
      const limitW = num(limit, 'power.limit');
      return {
        index: num(index, 'index'),
        uuid: uuid ?? '',
        powerDrawW: Number.isFinite(Number(draw)) && draw !== '' ? Number(draw) : undefined,
        powerLimitW: limitW,
        enforcedPowerLimitW: Number.isFinite(Number(enforced)) && enforced !== '' ? Number(enforced) : limitW,
        defaultPowerLimitW: num(def, 'power.default_limit'),
        minPowerLimitW: num(min, 'power.min_limit'),
        maxPowerLimitW: num(max, 'power.max_limit'),
      };
    });
}
