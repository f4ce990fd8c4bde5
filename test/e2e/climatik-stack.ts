// The whole Climatik placement path on loopback, for the e2e suites that need more than one rack
// layout: control plane (cluster.ts), GPU Nodes labelled with their rack, the topology ConfigMap,
// a test exporter publishing each node's baseline power as Kepler >= 0.10 does, a real Prometheus
// scraping it, the real `climatik extender` process and (optionally) the climatik-scheduler.
//
// The exporter's values never change when pods are bound: no kubelet runs them, so bound pods draw
// nothing as far as telemetry knows. That is the situation right after a burst of binds in a real
// cluster (a model server takes minutes to load and draw power), and it is what lets the suites
// compute the true committed power of a rack: baseline + expected power of every pod bound to it.
import { CoreV1Api } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { startPrometheus, type PrometheusServer } from '../prometheus/prometheus-server.js';
import { startTestExporter, type TestExporter } from '../prometheus/test-exporter.js';
import { startCluster, type Cluster } from './cluster.js';
import { startExtenderProcess, type ExtenderProcess } from './extender-process.js';
import { createGpuNode } from './nodes.js';
import { gpuPod } from './pods.js';
import { waitUntil } from './processes.js';
import { renderSchedulerConfig } from './scheduler-config.js';

export const TOPOLOGY_NAMESPACE = 'climatik-system';
export const TOPOLOGY_NAME = 'rack-topology';
export const TOPOLOGY_KEY = 'topology.yaml';

export interface RackSpec {
  readonly id: string;
  readonly powerBudgetW: number;
  readonly nodes: number;
  /** Baseline power each node of the rack reports (W). */
  readonly nodeW: number;
  readonly gpusPerNode?: number;
}

export interface StackOptions {
  readonly racks: readonly RackSpec[];
  /** Start a plain kube-scheduler for default-scheduler pods (default true). */
  readonly defaultScheduler?: boolean;
  /** Start the climatik-scheduler against the extender (default true). */
  readonly scheduler?: boolean;
  readonly nodeCacheCapable?: boolean;
  readonly ignorable?: boolean;
  /** Merged over the extender's generated config. */
  readonly extenderConfig?: Readonly<Record<string, unknown>>;
  readonly keepStateDir?: boolean;
}

export interface ClimatikStack {
  readonly cluster: Cluster;
  readonly core: CoreV1Api;
  readonly kepler: TestExporter;
  readonly prometheus: PrometheusServer;
  extender: ExtenderProcess;
  readonly racks: readonly RackSpec[];
  nodesOf(rackId: string): string[];
  rackOf(nodeName: string): string | undefined;
  /** Sum of the baseline power the exporter reports for the rack's nodes. */
  baselineW(rackId: string): number;
  /** Renders the climatik-scheduler config for the current extender (leader election off). */
  schedulerConfig(overrides?: { nodeCacheCapable?: boolean; ignorable?: boolean }): string;
  /** Replaces the topology ConfigMap's document. */
  writeTopology(text: string): Promise<void>;
  /**
   * Waits until the extender judges every rack on telemetry, not the nameplate fallback. /readyz only
   * says "a snapshot exists": one taken before the Node informer synced maps no node to a rack, and
   * then every rack counts at its nameplate until the next refresh (15 s).
   */
  waitForTelemetry(): Promise<void>;
  /** Restarts the extender process on the same port (the scheduler's urlPrefix stays valid). */
  restartExtender(): Promise<ExtenderProcess>;
  stop(): Promise<void>;
}

/** A topology document for these racks: rack ids from the Node label, no thermal limit in play. */
export function topologyYaml(racks: readonly Pick<RackSpec, 'id' | 'powerBudgetW'>[], nameplateW = 100_000): string {
  return stringify({
    apiVersion: 'climatik.io/v1alpha1',
    kind: 'RackTopology',
    supplyTemperatureC: 18,
    // Far above what any layout here can reach (0.05 °C/kW on the diagonal): only budgets decide.
    redlineInletC: 40,
    racks: racks.map((r) => ({ id: r.id, powerBudgetW: r.powerBudgetW, nameplateW })),
    heatRecirculation: { matrixCPerKW: racks.map((_, i) => racks.map((__, j) => (i === j ? 0.05 : 0))) },
  });
}

/** CLIMATIK_E2E_KEEP=1 keeps the state dir (logs) and logs the extender at info, for diagnosis. */
const keepForDiagnosis = process.env.CLIMATIK_E2E_KEEP === '1';

/**
 * Waits until the extender judges every rack on telemetry, not the nameplate fallback: right after
 * start, Prometheus may not have scraped the exporter yet, and the extender (correctly) counts racks
 * without telemetry at their nameplate until a refresh sees the samples.
 */
export async function waitForExtenderTelemetry(extender: ExtenderProcess, allNodes: readonly string[]): Promise<void> {
  const probe = gpuPod({ name: 'telemetry-probe', gpus: 1, schedulerName: 'climatik-scheduler' });
  await waitUntil(
    'the extender to judge every rack on telemetry (no nameplate fallback)',
    async () => {
      const answer = (await extender.call('filter', { Pod: probe, NodeNames: allNodes })) as {
        FailedNodes?: Record<string, string>;
        FailedAndUnresolvableNodes?: Record<string, string>;
      };
      const reasons = [...Object.values(answer.FailedNodes ?? {}), ...Object.values(answer.FailedAndUnresolvableNodes ?? {})];
      return !reasons.some((r) => r.includes('fallback estimate'));
    },
    { timeoutMs: 60_000, intervalMs: 500 },
  );
}

export async function startClimatikStack(opts: StackOptions): Promise<ClimatikStack> {
  const cluster = await startCluster({ defaultScheduler: opts.defaultScheduler ?? true, keepStateDir: (opts.keepStateDir ?? false) || keepForDiagnosis });
  if (keepForDiagnosis) process.stderr.write(`climatik e2e state dir (kept): ${cluster.stateDir}\n`);
  const cleanups: (() => Promise<void>)[] = [() => cluster.stop()];
  const stop = async (): Promise<void> => {
    for (const c of cleanups.reverse()) await c();
  };
  try {
    const core = cluster.kubeConfig().makeApiClient(CoreV1Api);
    const nodesOf = (rackId: string): string[] => {
      const rack = opts.racks.find((r) => r.id === rackId);
      return rack === undefined ? [] : Array.from({ length: rack.nodes }, (_, i) => `${rack.id}-n${i + 1}`);
    };
    const rackByNode = new Map<string, string>();
    for (const r of opts.racks) for (const n of nodesOf(r.id)) rackByNode.set(n, r.id);
    // A few at a time: 500 sequential creates are slow, 500 at once swamp the 2-core machine.
    const nodeSpecs = opts.racks.flatMap((r) => nodesOf(r.id).map((name) => ({ name, rack: r.id, gpus: r.gpusPerNode ?? 8, cpu: '64', memory: '512Gi' })));
    for (let i = 0; i < nodeSpecs.length; i += 16) await Promise.all(nodeSpecs.slice(i, i + 16).map((s) => createGpuNode(core, s)));
    await core.createNamespace({ body: { metadata: { name: TOPOLOGY_NAMESPACE } } });
    await core.createNamespacedConfigMap({
      namespace: TOPOLOGY_NAMESPACE,
      body: { metadata: { name: TOPOLOGY_NAME }, data: { [TOPOLOGY_KEY]: topologyYaml(opts.racks) } },
    });

    const kepler = await startTestExporter();
    cleanups.push(() => kepler.stop());
    for (const r of opts.racks) {
      for (const node of nodesOf(r.id)) kepler.setGauge('kepler_node_cpu_watts', { node_name: node, zone: 'package', path: '/p' }, r.nodeW);
    }
    const prometheus = await startPrometheus({ jobs: [{ name: 'kepler', targets: [kepler.target], honorLabels: true }] });
    cleanups.push(() => prometheus.stop());

    const extenderOpts = {
      kubeconfigPath: cluster.kubeconfigPath,
      prometheusUrl: prometheus.url,
      dir: cluster.stateDir,
      config: { ...(keepForDiagnosis ? { logLevel: 'info' } : {}), ...opts.extenderConfig },
    };
    let extender = await startExtenderProcess(extenderOpts);
    cleanups.push(() => extender.stop());
    const port = Number(new URL(extender.url).port);

    const stack: ClimatikStack = {
      cluster,
      core,
      kepler,
      prometheus,
      get extender() {
        return extender;
      },
      set extender(e) {
        extender = e;
      },
      racks: opts.racks,
      nodesOf,
      rackOf: (node) => rackByNode.get(node),
      baselineW: (rackId) => (opts.racks.find((r) => r.id === rackId)?.nodeW ?? 0) * nodesOf(rackId).length,
      schedulerConfig: (o = {}) =>
        renderSchedulerConfig({
          extenderUrl: extender.url,
          leaderElect: false,
          nodeCacheCapable: o.nodeCacheCapable ?? opts.nodeCacheCapable ?? true,
          ...(o.ignorable ?? opts.ignorable) === undefined ? {} : { ignorable: o.ignorable ?? opts.ignorable },
        }),
      async writeTopology(text) {
        await core.patchNamespacedConfigMap(
          { name: TOPOLOGY_NAME, namespace: TOPOLOGY_NAMESPACE, body: [{ op: 'replace', path: `/data/${TOPOLOGY_KEY.replace('/', '~1')}`, value: text }] },
        );
      },
      async waitForTelemetry() {
        await waitForExtenderTelemetry(extender, opts.racks.flatMap((r) => nodesOf(r.id)));
      },
      async restartExtender() {
        await extender.stop();
        extender = await startExtenderProcess({ ...extenderOpts, port });
        return extender;
      },
      stop,
    };
    await stack.waitForTelemetry();
    if (opts.scheduler ?? true) await cluster.startScheduler('climatik', stack.schedulerConfig());
    return stack;
  } catch (err) {
    await stop();
    throw err;
  }
}
