// Where the status page reads the capper's recommendations and actions: the PowerCappingPolicy
// objects' status, which the capper writes. In a cluster, one list across namespaces via the API
// server (cached briefly so several open pages poll the API server once per `cacheMs`); offline
// there is no source and the page says so.
import { ApiException, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
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

/** The part of CustomObjectsApi this source calls (a fake in unit tests needs nothing else). */
export type PolicyListApi = Pick<CustomObjectsApi, 'listClusterCustomObject'>;

/**
 * Lists powercappingpolicies across namespaces. A failure is cached like a success (a missing CRD or
 * a forbidden list must not turn every poll of every open page into an API call) and rethrown with
 * a message an operator can act on; the page shows it and renders everything else.
 */
export function kubePolicyStatusSource(kc: KubeConfig, clock: Clock, cacheMs: number = DEFAULT_POLICY_CACHE_MS): PolicyStatusSource {
  return policyStatusSourceFrom(kc.makeApiClient(CustomObjectsApi), clock, cacheMs);
}

export function policyStatusSourceFrom(api: PolicyListApi, clock: Clock, cacheMs: number = DEFAULT_POLICY_CACHE_MS): PolicyStatusSource {
  let cached: { atMs: number; result: Promise<readonly ListedPolicy[]> } | undefined;
  const fetchAll = async (): Promise<readonly ListedPolicy[]> => {
    try {
      const res = (await api.listClusterCustomObject({ group: POLICY_GROUP, version: POLICY_VERSION, plural: POLICY_PLURAL })) as { items?: unknown };
      return Array.isArray(res.items) ? (res.items as ListedPolicy[]) : [];
    } catch (err) {
      throw new Error(explainListError(err), { cause: err });
    }
  };
  return {
    kind: 'cluster',
    list() {
      const now = clock.nowMs();
      // Callers within the cache period (including concurrent ones) share one list call.
      if (cached === undefined || now - cached.atMs >= cacheMs) {
        const result = fetchAll();
        result.catch(() => undefined); // rejections reach the caller; this copy only keeps Node quiet
        cached = { atMs: now, result };
      }
      return cached.result;
    },
  };
}

const RESOURCE = `${POLICY_PLURAL}.${POLICY_GROUP}/${POLICY_VERSION}`;

/** client-node's ApiException message is four lines with headers; say what it means instead. */
export function explainListError(err: unknown): string {
  if (!(err instanceof ApiException)) return `capper policies unavailable: ${err instanceof Error ? err.message : String(err)}`;
  const code = Number(err.code);
  const detail = statusMessage(err.body);
  if (code === 404) return `PowerCappingPolicy CRD not installed: the API server has no ${RESOURCE} (apply deploy/crds)`;
  if (code === 403) return `capper policies unavailable: 403 ${detail || 'forbidden'} (the extender's ClusterRole needs list on ${POLICY_PLURAL}.${POLICY_GROUP})`;
  return `capper policies unavailable: HTTP ${code}${detail === '' ? '' : ` ${detail}`}`;
}

/** The `message` of a Kubernetes Status body (client-node hands the body over as text), else ''. */
function statusMessage(body: unknown): string {
  let parsed: unknown = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      return body.trim().slice(0, 300);
    }
  }
  const message = typeof parsed === 'object' && parsed !== null ? (parsed as { message?: unknown }).message : undefined;
  return typeof message === 'string' ? message : '';
}
