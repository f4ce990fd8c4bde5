// `climatik extender`: the only place that reads files and the environment, listens and handles
// signals. Cluster mode (default): kubeconfig or in-cluster, topology from a watched ConfigMap,
// binds through the API. Offline mode (`--topology FILE`): topology and power from files, /bind
// answers that it needs API access.
import { readFile } from 'node:fs/promises';
import { Registry } from 'prom-client';
import { ClimatikError, createLogger, numberFlag, parseCommandArgs, readDocument, systemClock, type Clock, type Logger } from '../common/index.js';
import { loadTopologyFile, rackOfNode } from '../rack-model/index.js';
import { createPrometheusSnapshotSource, loadStaticSnapshotSource, type Snapshot, type SnapshotSource } from '../telemetry/index.js';
import { extenderConfig, ms, type ExtenderConfig } from './config.js';
import type { TlsSettings } from './context.js';
import { connectCluster, loadKubeConfig, type Cluster } from './kube/cluster.js';
import type { NodeLabelSource } from './placement.js';
import { buildRuntime, type ExtenderRuntime } from './runtime.js';
import { TopologyStore } from './topology-store.js';
import { kubePolicyStatusSource, type PolicyStatusSource } from './ui/index.js';

const OPTIONS = {
  config: { type: 'string' },
  topology: { type: 'string' },
  'power-file': { type: 'string' },
  prometheus: { type: 'string' },
  port: { type: 'string' },
  address: { type: 'string' },
  kubeconfig: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const USAGE = `usage: climatik extender [--config FILE] [--kubeconfig FILE] [--prometheus URL] [--port N] [--address A]
       climatik extender --topology FILE --power-file FILE [--port N] [--address A]   (offline mode)

Serves the kube-scheduler extender verbs POST /filter, /prioritize, /bind and GET /healthz,
/readyz, /metrics, and the status page GET /ui. See extender/README.md for the configuration file.`;

export async function run(args: string[]): Promise<number> {
  const { values } = parseCommandArgs(args, OPTIONS, 'extender');
  if (values.help === true) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const config = await configFrom(values);
  const logger = createLogger({ name: 'extender', level: config.logLevel });
  // client-node's watch reconnect can reject outside any awaiting caller (kubernetes-client/javascript
  // #1933); the informer keeper restarts the watch, so log instead of letting Node exit.
  process.on('unhandledRejection', (err) => logger.error({ err }, 'unhandled rejection (kept running)'));
  const started = await startExtender(config, { logger, clock: systemClock, kubeconfigFile: values.kubeconfig });
  const address = await started.runtime.app.listen({ host: config.listen.address, port: config.listen.port });
  logger.info({ address, mode: started.mode }, 'climatik extender listening');
  await new Promise<void>((resolve) => {
    const shutdown = (signal: string) => {
      logger.info({ signal }, 'shutting down');
      resolve();
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
  });
  await started.stop();
  return 0;
}

type Flags = { [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K]['type'] extends 'boolean' ? boolean : string };

/** The config file (if any) with the command-line flags laid over it, validated once. */
export async function configFrom(flags: Flags): Promise<Readonly<ExtenderConfig>> {
  const raw = flags.config === undefined ? {} : await readDocument(flags.config);
  const doc = (raw !== null && typeof raw === 'object' ? structuredClone(raw) : {}) as Record<string, Record<string, unknown>>;
  const section = (name: string): Record<string, unknown> => (doc[name] ??= {});
  const port = numberFlag(flags.port, 'port', { min: 1, integer: true });
  if (port !== undefined) section('listen').port = port;
  if (flags.address !== undefined) section('listen').address = flags.address;
  if (flags.topology !== undefined) section('topology').file = flags.topology;
  if (flags['power-file'] !== undefined) section('telemetry').powerFile = flags['power-file'];
  if (flags.prometheus !== undefined) section('telemetry').prometheusUrl = flags.prometheus;
  const config = extenderConfig(doc, flags.config ?? 'command line');
  if (config.telemetry.powerFile !== undefined && config.topology.file === undefined) {
    throw new ClimatikError('CLIMATIK_USAGE', 'extender: --power-file is for offline mode and needs --topology FILE', {
      issues: [{ path: '--topology', message: 'required with --power-file' }],
    });
  }
  return config;
}

export interface StartedExtender {
  readonly runtime: ExtenderRuntime;
  readonly mode: 'offline' | 'cluster';
  stop(): Promise<void>;
}

/** Builds and starts everything except the listening socket (tests call this and use inject). */
export async function startExtender(
  config: Readonly<ExtenderConfig>,
  env: { logger: Logger; clock: Clock; kubeconfigFile?: string | undefined; registry?: Registry },
): Promise<StartedExtender> {
  const { logger, clock } = env;
  const registry = env.registry ?? new Registry();
  const store = new TopologyStore();
  const offline = config.topology.file !== undefined;
  let cluster: Cluster | undefined;
  let nodeLabels: NodeLabelSource | undefined;
  let policyStatusSource: PolicyStatusSource | undefined;
  if (config.topology.file !== undefined) {
    store.set(await loadTopologyFile(config.topology.file));
  } else {
    const kubeConfig = loadKubeConfig(env.kubeconfigFile);
    cluster = connectCluster(
      {
        store,
        topologyConfigMap: { namespace: config.topology.configMapNamespace, name: config.topology.configMapName, key: config.topology.key },
        schedulerName: config.schedulerName,
        resyncMs: ms(config.informerResync),
        logger,
        clock,
      },
      kubeConfig,
    );
    nodeLabels = cluster.nodeLabels;
    // The status page's capper section; a missing CRD or a forbidden list shows on the page, never fails startup.
    policyStatusSource = kubePolicyStatusSource(kubeConfig, clock);
  }
  const power = await powerSource(config, store, nodeLabels, { logger, clock, registry });
  const runtime = await buildRuntime({
    config,
    store,
    power,
    binder: cluster?.binder,
    ...(cluster === undefined ? {} : { informers: cluster.informers }),
    ...(nodeLabels === undefined ? {} : { nodeLabels }),
    ...(policyStatusSource === undefined ? {} : { policyStatusSource }),
    logger,
    registry,
    clock,
    tls: await tlsSettings(config),
  });
  const metrics = runtime.context.metrics;
  cluster?.start({
    ledger: runtime.ledger,
    pending: runtime.pending,
    tracking: () => ({ topology: store.current(), labelsOf: (n) => nodeLabels?.labelsOf(n), podPower: runtime.context.deps.settings.podPower }),
    onChange: () => runtime.plans.notify(),
    onTopologyResult: (result) => metrics.topologyReloads.inc({ result }),
    onInformerRestart: (informer) => metrics.informerRestarts.inc({ informer }),
    onNodesSynced: () => refreshAfterSync(power, cluster?.informers.nodesSyncedAtMs()),
  });
  runtime.start();
  return {
    runtime,
    mode: offline ? 'offline' : 'cluster',
    async stop() {
      await cluster?.stop();
      await runtime.stop();
    },
  };
}

/**
 * Rebuilds the telemetry snapshot once the Node informer synced, so nodes map to racks by label
 * without waiting a refresh interval. A refresh already in flight started before the sync: chain one.
 */
function refreshAfterSync(power: RefreshableSource, syncedAtMs: number | undefined): void {
  const refresh = power.refresh?.bind(power);
  if (refresh === undefined || syncedAtMs === undefined) return;
  void refresh().then((s) => (s.takenAtMs < syncedAtMs ? refresh() : s));
}

/** Prometheus sources can refresh on demand (concurrent callers share one refresh). */
type RefreshableSource = SnapshotSource & { refresh?: () => Promise<Snapshot> };

/** The power file offline, Prometheus when configured, otherwise nothing yet (racks at nameplate). */
async function powerSource(
  config: Readonly<ExtenderConfig>,
  store: TopologyStore,
  nodeLabels: NodeLabelSource | undefined,
  env: { logger: Logger; clock: Clock; registry: Registry },
): Promise<RefreshableSource> {
  const topology = store.current();
  if (config.telemetry.powerFile !== undefined && topology !== undefined) {
    return loadStaticSnapshotSource(config.telemetry.powerFile, topology, env.clock);
  }
  if (config.telemetry.prometheusUrl !== undefined) {
    return createPrometheusSnapshotSource({
      prometheusUrl: config.telemetry.prometheusUrl,
      rackOfNode: (node) => {
        const t = store.current();
        return t === undefined ? undefined : rackOfNode(t, node, nodeLabels?.labelsOf(node));
      },
      clock: env.clock,
      logger: env.logger,
      registry: env.registry,
    });
  }
  env.logger.warn('no telemetry configured (power file or Prometheus): every rack counts at its nameplate');
  return { current: () => undefined, start() {}, async stop() {} };
}

async function tlsSettings(config: Readonly<ExtenderConfig>): Promise<TlsSettings | undefined> {
  if (config.tls === undefined) return undefined;
  const [cert, key, ca] = await Promise.all([
    readFile(config.tls.certFile),
    readFile(config.tls.keyFile),
    config.tls.clientCAFile === undefined ? undefined : readFile(config.tls.clientCAFile),
  ]);
  return ca === undefined ? { cert, key } : { cert, key, ca, requestCert: true, rejectUnauthorized: true };
}
