// `climatik capper [--config FILE] [--print-crd]`: the only place the capper reads the
// environment (kubeconfig, POD_NAME for the lease identity, POD_NAME + POD_NAMESPACE for the
// leader label on its own Pod), listens and waits for signals.
import { KubeConfig } from '@kubernetes/client-node';
import { hostname } from 'node:os';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { ClimatikError, type Logger, createLogger, loadConfig, parseCommandArgs, parseDurationMs, systemClock } from '../common/index.js';
import { rackOfNode } from '../rack-model/index.js';
import { CapperConfigSchema, checkCapperConfig, type CapperConfig } from './config.js';
import { Capper } from './controller.js';
import { policyCrdYaml } from './crd.js';
import { startHealthServer } from './health-server.js';
import { LeaseLock } from './leader.js';
import { LeaderLabel, kubeLabelledPods, kubePodLabelWriter } from './leader-label.js';
import { capperMetrics } from './metrics.js';
import { RecommendationNotifier, buildDispatcher, buildSlackActionsApp, readSlackSecrets } from './sinks/index.js';
import { FilePowerSource, PrometheusPowerSource, type CapperPowerSource } from './power-source.js';
import { TopologySource } from './topology-source.js';

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
  const config = checkCapperConfig(await loadConfig(CapperConfigSchema, values.config), values.config);
  const logger = createLogger({ name: 'capper' });
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const metrics = capperMetrics(registry);
  // Re-read every loop interval: the mounted ConfigMap changes in place (capper/topology-source.ts).
  const topologySource = await TopologySource.load({ file: config.topologyFile, logger, metrics, pollIntervalMs: ms(config.interval) });
  const topology = () => topologySource.current();
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromDefault();
  const power: CapperPowerSource =
    'powerFile' in config.telemetry
      ? new FilePowerSource(config.telemetry.powerFile, topology, systemClock, logger)
      : new PrometheusPowerSource(config.telemetry.prometheusUrl, (node) => rackOfNode(topology(), node, capper.nodeLabels(node)), systemClock, logger, {
          historyStepMs: ms(config.telemetry.historyStep),
          refreshIntervalMs: ms(config.telemetry.refreshInterval),
        });
  const le = config.leaderElection;
  const identity = process.env.POD_NAME ?? `${hostname()}-${process.pid}`;
  const lease = le.enabled
    ? new LeaseLock(kubeConfig, { namespace: le.namespace, name: le.leaseName, identity, leaseDurationMs: ms(le.leaseDuration) }, systemClock)
    : undefined;
  // POD_NAME / POD_NAMESPACE from the downward API (deploy/base/capper.yaml); outside a Pod, no label.
  const podNamespace = process.env.POD_NAMESPACE;
  const pod = process.env.POD_NAME !== undefined && podNamespace !== undefined ? { name: process.env.POD_NAME, namespace: podNamespace } : undefined;
  const leaderLabel = new LeaderLabel({ pod, write: kubePodLabelWriter(kubeConfig), labelled: kubeLabelledPods(kubeConfig), logger, failures: metrics.leaderLabelFailures });
  const notifier = await buildNotifier(config, logger, registry, () => capper);
  const capper = new Capper({
    kubeConfig,
    identity,
    topology,
    power,
    logger,
    clock: systemClock,
    metrics,
    intervalMs: ms(config.interval),
    leaderLabel,
    ...(notifier === undefined ? {} : { notifier: notifier.notifier }),
    ...(lease === undefined ? {} : { lease, leaseRenewMs: ms(le.renewInterval) }),
  });
  const health = await startHealthServer({ host: config.host, port: config.port, registry, ready: () => capper.ready() });
  logger.info({ identity, port: health.port, racks: topology().racks.length }, 'capper starting');
  topologySource.start();
  power.start();
  await capper.start();
  const slackActions = await notifier?.serveSlackActions?.();
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  logger.info('capper stopping');
  await slackActions?.close();
  await capper.stop();
  await power.stop();
  await topologySource.stop();
  await health.close();
  // Bounded: a sink that is down must not hold the shutdown through a full retry cycle.
  if (notifier) await Promise.race([notifier.dispatcher.idle(), new Promise((r) => setTimeout(r, 5000))]);
  return 0;
}

/**
 * Sinks publish recommendations and actions. With Slack configured, its interactive endpoint
 * (POST /slack/actions) gets its own listener on `notifications.slack.actionsPort`: that one port
 * is what the Ingress exposes to Slack, while /healthz, /readyz and /metrics stay cluster-internal
 * on `port`. An approval is applied by the controller (Capper.applyApproved), queued behind any
 * running reconcile; a rejection is recorded as an Event.
 */
async function buildNotifier(config: CapperConfig, logger: Logger, registry: Registry, capper: () => Capper) {
  const n = config.notifications;
  if (n === undefined) return undefined;
  const slackSecrets = n.slack ? await readSlackSecrets(n.slack.secretDir) : undefined;
  const dispatcher = buildDispatcher(n, { logger, registry, clock: systemClock, ...(slackSecrets ? { slackSecrets } : {}) });
  const notifier = new RecommendationNotifier({
    publisher: dispatcher,
    onApprove: (rec, user) => capper().applyApproved(rec, user),
    onReject: (rec, user) => capper().recordRejected(rec, user),
  });
  const slack = n.slack;
  const serveSlackActions =
    slack === undefined || slackSecrets === undefined
      ? undefined
      : async () => {
          const app = await buildSlackActionsApp({ signingSecret: slackSecrets.signingSecret, handler: notifier, clock: systemClock, logger });
          await app.listen({ host: config.host, port: slack.actionsPort });
          logger.info({ address: app.server.address() }, 'serving Slack interactivity at POST /slack/actions');
          return app;
        };
  return { dispatcher, notifier, serveSlackActions };
}
