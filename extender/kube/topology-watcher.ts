// Watches the topology ConfigMap (one object, key `topology.yaml`). A valid edit is swapped in by
// the TopologyStore; an invalid one is rejected: log line, metric, and a Warning Event on the
// ConfigMap so `kubectl describe configmap` shows why the edit did not take. The last good stays.
import type { CoreV1Api, V1ConfigMap } from '@kubernetes/client-node';
import type { Clock, Logger } from '../../common/index.js';
import { formatIssue } from '../../common/index.js';
import type { ApplyResult, TopologyStore } from '../topology-store.js';
import type { InformerLike } from './informer.js';

export const TOPOLOGY_KEY = 'topology.yaml';
const COMPONENT = 'climatik-extender';

export interface EventRecorder {
  warn(cm: V1ConfigMap, reason: string, message: string): Promise<void>;
}

export interface TopologyWatcherOptions {
  readonly informer: InformerLike<V1ConfigMap>;
  readonly store: TopologyStore;
  readonly events: EventRecorder;
  readonly logger: Logger;
  readonly onResult?: (result: 'accepted' | 'rejected' | 'unchanged') => void;
  readonly key?: string;
}

export function watchTopology(opts: TopologyWatcherOptions): void {
  const onObject = (cm: V1ConfigMap): void => {
    void applyConfigMap(cm, opts);
  };
  opts.informer.on('add', onObject);
  opts.informer.on('update', onObject);
  opts.informer.on('delete', (cm) => {
    opts.logger.warn({ configMap: `${cm.metadata?.namespace}/${cm.metadata?.name}` }, 'topology ConfigMap deleted; keeping the last good topology');
  });
}

/** One ConfigMap version → the store; exported for tests. */
export async function applyConfigMap(cm: V1ConfigMap, opts: Omit<TopologyWatcherOptions, 'informer'>): Promise<ApplyResult> {
  const key = opts.key ?? TOPOLOGY_KEY;
  const source = `configmap ${cm.metadata?.namespace ?? ''}/${cm.metadata?.name ?? ''} key ${key} (resourceVersion ${cm.metadata?.resourceVersion ?? '?'})`;
  const result = opts.store.apply(cm.data?.[key], source);
  if (result.accepted) {
    opts.onResult?.(result.changed ? 'accepted' : 'unchanged');
    if (result.changed) opts.logger.info({ source, version: result.version, racks: result.topology.racks.length }, 'topology loaded');
    return result;
  }
  opts.onResult?.('rejected');
  opts.logger.error({ source, issues: result.issues }, 'topology edit rejected; keeping the last good topology');
  const lines = result.issues.slice(0, 5).map(formatIssue).join('; ');
  const more = result.issues.length > 5 ? ` (+${result.issues.length - 5} more)` : '';
  try {
    await opts.events.warn(cm, 'TopologyRejected', `${result.message}: ${lines}${more}; the previous topology stays in effect`);
  } catch (err) {
    opts.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'could not record the rejection Event');
  }
  return result;
}

/** Writes core/v1 Events about a ConfigMap. */
export function configMapEvents(core: Pick<CoreV1Api, 'createNamespacedEvent'>, clock: Clock, instance: string): EventRecorder {
  return {
    async warn(cm, reason, message) {
      const namespace = cm.metadata?.namespace ?? 'default';
      const now = new Date(clock.nowMs());
      await core.createNamespacedEvent({
        namespace,
        body: {
          metadata: { generateName: `${cm.metadata?.name ?? 'topology'}.`, namespace },
          involvedObject: {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            name: cm.metadata?.name ?? '',
            namespace,
            ...(cm.metadata?.uid === undefined ? {} : { uid: cm.metadata.uid }),
            ...(cm.metadata?.resourceVersion === undefined ? {} : { resourceVersion: cm.metadata.resourceVersion }),
          },
          reason,
          // The API rejects Event messages over 1 KiB.
          message: message.length > 1000 ? `${message.slice(0, 997)}...` : message,
          type: 'Warning',
          source: { component: COMPONENT },
          reportingComponent: COMPONENT,
          reportingInstance: instance,
          firstTimestamp: now,
          lastTimestamp: now,
          count: 1,
        },
      });
    },
  };
}
