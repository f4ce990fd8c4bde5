// Cluster mode wiring: kubeconfig (file or in-cluster), the binder, and three informers kept
// alive with backoff: the topology ConfigMap, Nodes (labels → rack for NodeNames requests), and
// this scheduler's Pods (ledger across replicas, pending demand for the planner).
import { hostname } from 'node:os';
import { KubeConfig, type V1ConfigMap, type V1Node, type V1Pod } from '@kubernetes/client-node';
import type { Clock, Logger } from '../../common/index.js';
import type { InformerSync } from '../context.js';
import type { NodeLabelSource } from '../placement.js';
import type { BindLedger } from '../ledger.js';
import { applyPodEvent, type PendingDemand, type TrackedPod, type TrackingContext } from '../pod-tracking.js';
import type { TopologyStore } from '../topology-store.js';
import { KubernetesBinder } from './binder.js';
import { keepAliveCoreApi } from './keep-alive.js';
import { keepRunning, listWatch, type InformerLike, type Running } from './informer.js';
import { configMapEvents, watchTopology } from './topology-watcher.js';

export interface ClusterOptions {
  readonly store: TopologyStore;
  readonly topologyConfigMap: { readonly namespace: string; readonly name: string; readonly key: string };
  readonly schedulerName: string;
  readonly resyncMs: number;
  readonly logger: Logger;
  readonly clock: Clock;
}

export interface Cluster {
  readonly binder: KubernetesBinder;
  readonly nodeLabels: NodeLabelSource;
  /** When the Node and Pod informers first finished their initial list; undefined before. */
  readonly informers: InformerSync;
  /** Starts the informers; pod events feed the ledger/pending demand and call `onDemandChange`. */
  start(wiring: ClusterWiring): void;
  stop(): Promise<void>;
}

export interface ClusterWiring {
  readonly ledger: BindLedger;
  readonly pending: PendingDemand;
  readonly tracking: () => TrackingContext;
  readonly onChange: () => void;
  readonly onTopologyResult: (result: 'accepted' | 'rejected' | 'unchanged') => void;
  readonly onInformerRestart: (name: string) => void;
  /** The Node informer finished a full list: node → rack by label is now complete. */
  readonly onNodesSynced?: () => void;
}

export function connectCluster(opts: ClusterOptions, kubeconfig = loadKubeConfig()): Cluster {
  // Binds, lists and Events share one keep-alive pool (client-node would open a connection per call).
  const { core, auth } = keepAliveCoreApi(kubeconfig);
  const { namespace, name, key } = opts.topologyConfigMap;
  const configMaps = listWatch<V1ConfigMap>(
    kubeconfig,
    `/api/v1/namespaces/${namespace}/configmaps`,
    () => core.listNamespacedConfigMap({ namespace, fieldSelector: `metadata.name=${name}` }),
    `metadata.name=${name}`,
  );
  const nodes = listWatch<V1Node>(kubeconfig, '/api/v1/nodes', () => core.listNode());
  const podSelector = `spec.schedulerName=${opts.schedulerName}`;
  const pods = listWatch<V1Pod>(kubeconfig, '/api/v1/pods', () => core.listPodForAllNamespaces({ fieldSelector: podSelector }), podSelector);
  const nodeIndex = new Map<string, Readonly<Record<string, string>>>();
  const running: Running[] = [];
  let nodesSyncedAt: number | undefined;
  let podsSyncedAt: number | undefined;

  return {
    binder: new KubernetesBinder(core),
    nodeLabels: { labelsOf: (node) => nodeIndex.get(node), nodeNames: () => nodeIndex.keys() },
    informers: { nodesSyncedAtMs: () => nodesSyncedAt, podsSyncedAtMs: () => podsSyncedAt },
    start(w) {
      const keep = <T>(informer: InformerLike<T>, informerName: string, onSynced?: () => void) =>
        running.push(
          keepRunning(informer, {
            name: informerName,
            logger: opts.logger,
            resyncMs: opts.resyncMs,
            onRestart: () => w.onInformerRestart(informerName),
            ...(onSynced === undefined ? {} : { onSynced }),
          }),
        );
      // Pods whose node had no known rack yet (Node informer behind the Pod informer, or a topology
      // swap) are re-derived once the mapping inputs change, instead of waiting for a pod event.
      const retrack = () => {
        let changed = false;
        for (const p of pods.list()) changed = applyPodEvent('update', p as TrackedPod, w.tracking(), w.ledger, w.pending) || changed;
        if (changed) w.onChange();
      };
      opts.store.onChange(retrack);
      watchTopology({
        informer: configMaps,
        store: opts.store,
        key,
        events: configMapEvents(core, opts.clock, hostname()),
        logger: opts.logger,
        onResult: w.onTopologyResult,
      });
      const indexNode = (n: V1Node) => {
        if (n.metadata?.name !== undefined) nodeIndex.set(n.metadata.name, n.metadata.labels ?? {});
      };
      nodes.on('add', indexNode);
      nodes.on('update', indexNode);
      nodes.on('delete', (n) => {
        if (n.metadata?.name !== undefined) nodeIndex.delete(n.metadata.name);
      });
      const onPod = (kind: 'add' | 'update' | 'delete') => (p: V1Pod) => {
        // V1Pod is structurally a TrackedPod (dates are Date objects after client-node deserialises).
        if (applyPodEvent(kind, p as TrackedPod, w.tracking(), w.ledger, w.pending)) w.onChange();
      };
      pods.on('add', onPod('add'));
      pods.on('update', onPod('update'));
      pods.on('delete', onPod('delete'));
      keep(configMaps, 'topology-configmap');
      keep(nodes, 'nodes', () => {
        if (nodesSyncedAt === undefined) opts.logger.info({ nodes: nodeIndex.size }, 'node informer synced');
        // The first sync only: later relists (resync, restarts) must not make readiness flap.
        nodesSyncedAt ??= opts.clock.nowMs();
        retrack();
        w.onNodesSynced?.();
      });
      keep(pods, 'pods', () => {
        if (podsSyncedAt === undefined) opts.logger.info({ pods: pods.list().length, ledger: w.ledger.size }, 'pod informer synced');
        podsSyncedAt ??= opts.clock.nowMs();
      });
    },
    async stop() {
      await Promise.all(running.map((r) => r.stop()));
      auth.destroy();
    },
  };
}

/** KUBECONFIG / ~/.kube/config, or the in-cluster service account when running in a pod. */
export function loadKubeConfig(file?: string): KubeConfig {
  const kc = new KubeConfig();
  if (file !== undefined) kc.loadFromFile(file);
  else kc.loadFromDefault();
  return kc;
}
