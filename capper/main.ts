// `climatik capper [--config FILE] [--print-crd]`: the only place the capper reads the
// environment (kubeconfig, POD_NAME for the lease identity), listens and waits for signals.
import { KubeConfig } from '@kubernetes/client-node';
import { hostname } from 'node:os';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { ClimatikError, type Logger, createLogger, loadConfig, parseCommandArgs, parseDurationMs, systemClock } from '../common/index.js';
import { loadTopologyFile, rackOfNode } from '../rack-model/index.js';
import { CapperConfigSchema, type CapperConfig } from './config.js';
import { Capper } from './controller.js';
import { policyCrdYaml } from './crd.js';
import { startHealthServer } from './health-server.js';
import { LeaseLock } from './leader.js';
import { capperMetrics } from './metrics.js';
import { RecommendationNotifier, buildDispatcher, readSlackSecrets } from './sinks/index.js';
import { FilePowerSource, PrometheusPowerSource, type CapperPowerSource } from './power-source.js';

const HELP = `usage: climatik capper --config FILE    run the controller (leader-elected), /healthz /readyz /metrics
       climatik capper --print-crd        print the PowerCappingPolicy CRD (deploy/crds/powercappingpolicies.yaml)`;

const ms = (d: string): number => parseDurationMs(d) ?? 0;

export async function run(args: string[]): Promise<number> {
  const { values } = parseCommandArgs(args, { config: { type: 'string' }, 'print-crd': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, 'capper');
  if (values.help === true) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (values['print-crd'] === true) {
    process.stdout.write(policyCrdYaml());
    return 0;
  }
  if (values.config === undefined) {
    throw new ClimatikError('CLIMATIK_USAGE', 'capper: --config is required', { issues: [{ path: '--config', message: 'required' }] });
  }
  const config = await loadConfig(CapperConfigSchema, values.config);
  const logger = createLogger({ name: 'capper' });
  const topology = await loadTopologyFile(config.topologyFile);
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromDefault();
  const power: CapperPowerSource =
    'powerFile' in config.telemetry
      ? new FilePowerSource(config.telemetry.powerFile, () => topology, systemClock, logger)
      : new PrometheusPowerSource(config.telemetry.prometheusUrl, (node) => rackOfNode(topology, node), systemClock, logger, ms(config.telemetry.historyStep));
  const le = config.leaderElection;
  const identity = process.env.POD_NAME ?? `${hostname()}-${process.pid}`;
  const lease = le.enabled
    ? new LeaseLock(kubeConfig, { namespace: le.namespace, name: le.leaseName, identity, leaseDurationMs: ms(le.leaseDuration) }, systemClock)
    : undefined;
  const notifier = await buildNotifier(config, logger, registry);
  const capper = new Capper({
    kubeConfig,
    topology: () => topology,
    power,
    logger,
    clock: systemClock,
    metrics: capperMetrics(registry),
    intervalMs: ms(config.interval),
    ...(notifier === undefined ? {} : { notifier: notifier.notifier }),
    ...(lease === undefined ? {} : { lease, leaseRenewMs: ms(le.renewInterval) }),
  });
  const health = await startHealthServer({ host: config.host, port: config.port, registry, ready: () => capper.ready() });
  logger.info({ identity, port: health.port, racks: topology.racks.length }, 'capper starting');
  power.start();
  await capper.start();
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  logger.info('capper stopping');
  await capper.stop();
  await power.stop();
  await health.close();
  // Bounded: a sink that is down must not hold the shutdown through a full retry cycle.
  if (notifier) await Promise.race([notifier.dispatcher.idle(), new Promise((r) => setTimeout(r, 5000))]);
  return 0;
}

/**
 * Sinks publish recommendations and actions. Slack's interactive Approve/Reject endpoint is not
 * started here yet: applying an approved recommendation needs the controller's actuators and
 * rate-limit memory, so approving is only possible by switching the policy to Enforce.
 */
async function buildNotifier(config: CapperConfig, logger: Logger, registry: Registry) {
  const n = config.notifications;
  if (n === undefined) return undefined;
  const slackSecrets = n.slack ? await readSlackSecrets(n.slack.secretDir) : undefined;
  const dispatcher = buildDispatcher(n, { logger, registry, clock: systemClock, ...(slackSecrets ? { slackSecrets } : {}) });
  const notifier = new RecommendationNotifier({
    publisher: dispatcher,
    onApprove: async (rec) => {
      throw new ClimatikError('CLIMATIK_USAGE', `approving ${rec.id} from Slack is not enabled; set the policy to Enforce to apply`);
    },
  });
  return { dispatcher, notifier };
}
