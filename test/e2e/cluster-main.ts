// Entry point behind scripts/cluster-up.sh: starts the same control plane the e2e tests use, as
// daemons that outlive this process, and prints shell exports. Stop it with scripts/cluster-down.sh.
//   cluster-main.ts --state-dir DIR [--scheduler-config FILE] [--no-default-scheduler]
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { startCluster } from './cluster.js';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      'state-dir': { type: 'string' },
      'scheduler-config': { type: 'string' },
      'no-default-scheduler': { type: 'boolean', default: false },
    },
    strict: true,
  });
  const stateDir = values['state-dir'];
  if (stateDir === undefined) {
    process.stderr.write('cluster-main: --state-dir is required\n');
    return 2;
  }
  const configPath = values['scheduler-config'];
  const cluster = await startCluster({
    stateDir,
    daemon: true,
    keepStateDir: true,
    defaultScheduler: !values['no-default-scheduler'],
    ...(configPath === undefined ? {} : { schedulerConfig: await readFile(configPath, 'utf8') }),
  });
  const pids = cluster.processes().map((p) => `${p.name}=${p.child.pid ?? '?'}`);
  process.stdout.write(
    [
      `export KUBECONFIG=${cluster.kubeconfigPath}`,
      `export CLIMATIK_E2E_API_URL=${cluster.apiUrl}`,
      `export CLIMATIK_E2E_TOKEN=${cluster.token}`,
      `export CLIMATIK_E2E_STATE_DIR=${cluster.stateDir}`,
      `# running: ${pids.join(' ')}`,
      '',
    ].join('\n'),
  );
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`cluster-main: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
