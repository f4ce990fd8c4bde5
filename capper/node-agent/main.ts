// `climatik node-agent`: the only place the agent reads the environment, listens and waits for
// signals. Runs as a privileged DaemonSet pod (nvidia-smi -pl needs root) with NODE_NAME from the
// downward API.
import { KubeConfig } from '@kubernetes/client-node';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { ClimatikError, createLogger, numberFlag, parseCommandArgs, parseDurationMs } from '../../common/index.js';
import { startHealthServer } from '../health-server.js';
import { nvidiaSmiBackend } from '../gpu/nvidia-smi-backend.js';
import { NodeAgent } from './agent.js';

const HELP = `usage: climatik node-agent [--node NAME] [--interval 30s] [--port 9102] [--host 0.0.0.0] [--nvidia-smi PATH]
  Applies climatik.io/gpu-power-limit-watts from this Node with nvidia-smi and reports what is enforced.
  --node defaults to $NODE_NAME; the kubeconfig comes from $KUBECONFIG or the in-cluster service account.`;

export async function run(args: string[]): Promise<number> {
  const { values } = parseCommandArgs(
    args,
    {
      node: { type: 'string' },
      interval: { type: 'string', default: '30s' },
      port: { type: 'string', default: '9102' },
      host: { type: 'string', default: '0.0.0.0' },
      'nvidia-smi': { type: 'string', default: 'nvidia-smi' },
      help: { type: 'boolean', short: 'h' },
    },
    'node-agent',
  );
  if (values.help === true) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const nodeName = values.node ?? process.env.NODE_NAME;
  if (nodeName === undefined || nodeName === '') {
    throw new ClimatikError('CLIMATIK_USAGE', 'node-agent: --node or $NODE_NAME is required', { issues: [{ path: '--node', message: 'required' }] });
  }
  const intervalMs = parseDurationMs(values.interval);
  if (intervalMs === undefined || intervalMs <= 0) {
    throw new ClimatikError('CLIMATIK_USAGE', '--interval must be a duration like 30s', { issues: [{ path: '--interval', message: 'expected a duration', value: values.interval }] });
  }
  const port = numberFlag(values.port, 'port', { min: 0, integer: true }) ?? 9102;
  const logger = createLogger({ name: 'node-agent' });
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromDefault();
  const agent = new NodeAgent({ kubeConfig, nodeName, backend: nvidiaSmiBackend({ binary: values['nvidia-smi'] }), intervalMs, logger, registry });
  const health = await startHealthServer({ host: values.host, port, registry, ready: () => agent.ready() });
  logger.info({ nodeName, intervalMs, port: health.port }, 'node agent starting');
  await agent.start();
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  logger.info('node agent stopping');
  await agent.stop();
  await health.close();
  return 0;
}
