// Where the status page reads the capper's recommendations and actions: the PowerCappingPolicy
// objects' status, which the capper writes. In a cluster, one list across namespaces via the API
// server (cached briefly so several open pages poll the API server once per `cacheMs`); offline
// there is no source and the page says so.
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import type { Clock } from '../../common/index.js';
import { POLICY_GROUP, POLICY_PLURAL, POLICY_VERSION } from '../../capper/policy-schema.js';

/** A policy as listed: metadata plus whatever spec/status the API server holds (checked by the reader). */
export interface ListedPolicy {
  readonly metadata: { readonly name?: string; readonly namespace?: string };
  readonly spec?: unknown;
  readonly status?: unknown;
}

export interface PolicyStatusSource {
  /** Human-readable origin, e.g. `cluster`. */
  readonly kind: string;
  list(): Promise<readonly ListedPolicy[]>;
}

export const DEFAULT_POLICY_CACHE_MS = 5_000;

/** Lists powercappingpolicies across namespaces; errors propagate (the page shows them). */
export function kubePolicyStatusSource(kc: KubeConfig, clock: Clock, cacheMs: number = DEFAULT_POLICY_CACHE_MS): PolicyStatusSource {
  const api = kc.makeApiClient(CustomObjectsApi);
  let cached: { atMs: number; items: readonly ListedPolicy[] } | undefined;
  return {
    kind: 'cluster',
    async list() {
      const now = clock.nowMs();
      if (cached !== undefined && now - cached.atMs < cacheMs) return cached.items;
      const res = (await api.listClusterCustomObject({ group: POLICY_GROUP, version: POLICY_VERSION, plural: POLICY_PLURAL })) as { items?: unknown };
      const items = Array.isArray(res.items) ? (res.items as ListedPolicy[]) : [];
      cached = { atMs: now, items };
      return items;
    },
  };
}
