// The fake answers like the real nvidia-smi: output formats, messages and exit codes.
import { execFile } from 'node:child_process';
import t from 'tap';
import { createFakeSmi, readFakeSmiState } from './fake-state.js';

function smi(env: NodeJS.ProcessEnv, args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile('nvidia-smi', args, { env }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
      resolve({ code, out: `${stdout}${stderr}` });
    });
  });
}

const H100 = { defaultLimitW: 700, minLimitW: 200, maxLimitW: 700, powerDrawW: 78.75 };

void t.test('query with header and units, as nvidia-smi prints it', async (t) => {
  const { env } = await createFakeSmi([H100]);
  const r = await smi(env, ['--query-gpu=index,power.draw,power.limit,power.min_limit', '--format=csv']);
  t.equal(r.code, 0);
  t.equal(r.out, 'index, power.draw [W], power.limit [W], power.min_limit [W]\n0, 78.75 W, 700.00 W, 200.00 W\n');
});

void t.test('query noheader,nounits; [N/A] power draw', async (t) => {
  const { env } = await createFakeSmi([{ ...H100, powerDrawW: null }]);
  const r = await smi(env, ['--query-gpu=index,power.draw,enforced.power.limit', '--format=csv,noheader,nounits']);
  t.equal(r.out, '0, [N/A], 700.00\n');
});

const cases: { name: string; root?: boolean; args: string[]; code: number; out: RegExp }[] = [
  { name: 'set a limit (persistence off warns)', args: ['-i', '0', '-pl', '450'], code: 0, out: /^Power limit for GPU 00000000:18:00.0 was set to 450.00 W from 700.00 W.\nWarning: persistence mode is disabled on device 00000000:18:00.0.*\nAll done.\n$/ },
  { name: 'limit below the minimum', args: ['-i', '0', '-pl', '50'], code: 2, out: /^Provided power limit 50.00 W is not a valid power limit which should be between 200.00 W and 700.00 W for GPU 00000000:18:00.0\nTerminating early due to previous errors.\n$/ },
  { name: 'limit without root', root: false, args: ['-i', '0', '-pl', '450'], code: 4, out: /^Failed to set power management limit for GPU 00000000:18:00.0: Insufficient Permissions\nTerminating early/ },
  { name: 'persistence mode', args: ['-pm', '1'], code: 0, out: /^Enabled persistence mode for GPU 00000000:18:00.0.\nAll done.\n$/ },
  { name: 'persistence mode without root', root: false, args: ['-pm', '1'], code: 4, out: /^Unable to set persistence mode for GPU 00000000:18:00.0: Insufficient Permissions/ },
  { name: 'unknown GPU', args: ['-i', '5', '-pl', '450'], code: 6, out: /^No devices were found\n$/ },
  { name: 'unknown query field', args: ['--query-gpu=index,bogus', '--format=csv'], code: 2, out: /^Field "bogus" is not a valid field to query./ },
  { name: 'unknown flag', args: ['--frobnicate'], code: 2, out: /^Invalid combination of input arguments/ },
];

for (const c of cases) {
  void t.test(c.name, async (t) => {
    const { env, stateFile } = await createFakeSmi([H100], { root: c.root ?? true });
    const r = await smi(env, c.args);
    t.equal(r.code, c.code, 'exit code');
    t.match(r.out, c.out);
    t.same((await readFakeSmiState(stateFile)).calls, [{ args: c.args, exitCode: c.code }], 'call recorded');
  });
}
