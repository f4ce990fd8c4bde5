// Helpers for deploy.e2e.test.ts: render a kustomization with the pinned kustomize binary, apply
// objects with server-side apply, wait for CRDs, ask the authorizer about a service account, and
// send raw requests with a given bearer token (a service account's own, from the TokenRequest API).
import { ApiextensionsV1Api, AuthorizationV1Api, type KubeConfig, type KubernetesObject, type V1ResourceAttributes } from '@kubernetes/client-node';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { defaultBinDir, repoRoot } from './cluster.js';
import { waitUntil } from './processes.js';

export const kustomizePath = join(defaultBinDir, 'kustomize');
export const FIELD_MANAGER = 'climatik-e2e';

/** `kustomize build <dir>` (dir relative to the repo root), parsed into objects. */
export async function kustomizeBuild(dir: string): Promise<KubernetesObject[]> {
  if (!existsSync(kustomizePath)) throw new Error(`${kustomizePath} is missing: run scripts/build-control-plane.sh first`);
  const { stdout } = await promisify(execFile)(kustomizePath, ['build', join(repoRoot, dir)], { maxBuffer: 32 * 1024 * 1024 });
  return parseAllDocuments(stdout).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`kustomize build ${dir}: ${doc.errors[0]?.message ?? 'invalid YAML'}`);
    return doc.toJS() as KubernetesObject;
  });
}

export function objectKey(o: KubernetesObject): string {
  const ns = o.metadata?.namespace === undefined ? '' : `${o.metadata.namespace}/`;
  return `${o.kind ?? '?'} ${ns}${o.metadata?.name ?? '?'}`;
}

/**
 * Raw REST client as one bearer token. Raw on purpose: client-node's typed serializer silently drops
 * keys its models spell differently (x-kubernetes-validations in CRDs), and a test of manifests must
 * send and read back exactly what kustomize rendered.
 */
export class RawApi {
  private readonly discovery = new Map<string, { name: string; kind: string; namespaced: boolean }[]>();

  constructor(
    private readonly kc: KubeConfig,
    private readonly token: string,
  ) {}

  request(method: string, path: string, body?: unknown, contentType?: string): Promise<RawResponse> {
    return apiRequest(this.kc, this.token, { method, path, ...(body === undefined ? {} : { body }), ...(contentType === undefined ? {} : { contentType }) });
  }

  /** REST path of an object, from API discovery (asked again when a kind is not found: new CRDs). */
  async path(o: KubernetesObject): Promise<string> {
    const apiVersion = o.apiVersion ?? '';
    const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    let found = this.discovery.get(apiVersion)?.find((r) => r.kind === o.kind && !r.name.includes('/'));
    if (found === undefined) {
      const res = await this.request('GET', base);
      if (res.status !== 200) throw new Error(`discovery ${base}: HTTP ${res.status} ${res.body}`);
      const list = (JSON.parse(res.body) as { resources: { name: string; kind: string; namespaced: boolean }[] }).resources;
      this.discovery.set(apiVersion, list);
      found = list.find((r) => r.kind === o.kind && !r.name.includes('/'));
    }
    if (found === undefined) throw new Error(`no resource for ${apiVersion} ${o.kind ?? '?'}`);
    const ns = found.namespaced ? `/namespaces/${o.metadata?.namespace ?? 'default'}` : '';
    return `${base}${ns}/${found.name}/${o.metadata?.name ?? ''}`;
  }

  /** Server-side apply, forced (this test is the only manager), like `kubectl apply --server-side`. */
  async apply(o: KubernetesObject): Promise<RawResponse> {
    const path = `${await this.path(o)}?fieldManager=${FIELD_MANAGER}&force=true`;
    return this.request('PATCH', path, o, 'application/apply-patch+yaml');
  }

  async get(o: KubernetesObject): Promise<RawResponse> {
    return this.request('GET', await this.path(o));
  }
}

/** Paths (a/b/0/c) of `want` that `got` lacks or holds with another value; [] = want ⊆ got. */
export function missingFields(want: unknown, got: unknown, at = ''): string[] {
  if (want !== null && typeof want === 'object') {
    if (got === null || typeof got !== 'object' || Array.isArray(want) !== Array.isArray(got)) return [at || '/'];
    if (Array.isArray(want)) {
      const g = got as unknown[];
      if (want.length !== g.length) return [`${at}/length`];
      return want.flatMap((w, i) => missingFields(w, g[i], `${at}/${i}`));
    }
    return Object.entries(want).flatMap(([k, w]) => missingFields(w, (got as Record<string, unknown>)[k], `${at}/${k}`));
  }
  return want === got ? [] : [at || '/'];
}

export async function waitForCrdsEstablished(kc: KubeConfig, names: readonly string[]): Promise<void> {
  const api = kc.makeApiClient(ApiextensionsV1Api);
  for (const name of names) {
    await waitUntil(
      `CRD ${name} Established`,
      async () => {
        const crd = await api.readCustomResourceDefinition({ name });
        return crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ?? false;
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );
  }
}

export interface AccessCase {
  readonly verb: string;
  readonly resource: string;
  readonly group?: string;
  readonly subresource?: string;
  readonly namespace?: string;
  readonly name?: string;
}

export function describeAccess(c: AccessCase): string {
  const res = `${c.resource}${c.subresource === undefined ? '' : `/${c.subresource}`}${c.group === undefined || c.group === '' ? '' : `.${c.group}`}`;
  return `${c.verb} ${res}${c.name === undefined ? '' : ` "${c.name}"`}${c.namespace === undefined ? ' (cluster-wide)' : ` in ${c.namespace}`}`;
}

/** SubjectAccessReview for a service account, with the groups its token would carry. */
export async function serviceAccountCan(kc: KubeConfig, namespace: string, serviceAccount: string, c: AccessCase): Promise<boolean> {
  const resourceAttributes: V1ResourceAttributes = {
    verb: c.verb,
    resource: c.resource,
    group: c.group ?? '',
    ...(c.subresource === undefined ? {} : { subresource: c.subresource }),
    ...(c.namespace === undefined ? {} : { namespace: c.namespace }),
    ...(c.name === undefined ? {} : { name: c.name }),
  };
  const review = await kc.makeApiClient(AuthorizationV1Api).createSubjectAccessReview({
    body: {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      spec: {
        user: `system:serviceaccount:${namespace}:${serviceAccount}`,
        groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'],
        resourceAttributes,
      },
    },
  });
  return review.status?.allowed === true;
}

export interface RawResponse {
  readonly status: number;
  readonly body: string;
}

/** One HTTPS request to the API server as the holder of `token` (client-node would use the admin's). */
export function apiRequest(
  kc: KubeConfig,
  token: string,
  req: { method: string; path: string; body?: unknown; contentType?: string },
): Promise<RawResponse> {
  const cluster = kc.getCurrentCluster();
  if (cluster?.caFile === undefined) throw new Error('kubeconfig has no cluster CA file');
  const url = new URL(req.path, cluster.server);
  const payload = req.body === undefined ? undefined : JSON.stringify(req.body);
  return new Promise((resolve, reject) => {
    const r = request(
      url,
      {
        method: req.method,
        ca: readFileSync(cluster.caFile as string),
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          ...(payload === undefined ? {} : { 'content-type': req.contentType ?? 'application/json' }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    r.setTimeout(10_000, () => r.destroy(new Error(`${req.method} ${req.path} timed out`)));
    r.on('error', reject);
    r.end(payload);
  });
}
