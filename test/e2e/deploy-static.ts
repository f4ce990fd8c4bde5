// Checks of the rendered deploy/ manifests that need no API server: rendered copies agree with their
// sources, configs are valid for the components that read them, ports and paths line up, workloads
// are locked down, the dashboard uses only metrics our code declares, ServiceMonitors select our
// Services.
import type { KubernetesObject, V1ConfigMap, V1Container, V1PodSpec, V1Service } from '@kubernetes/client-node';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Test } from 'tap';
import { parse } from 'yaml';
import { CapperConfigSchema } from '../../capper/config.js';
import { COMMANDS } from '../../cli/main.js';
import { buildConfig } from '../../common/index.js';
import { extenderConfig } from '../../extender/config.js';
import { parseTopology } from '../../rack-model/index.js';
import { repoRoot } from './cluster.js';
import { objectKey } from './deploy-support.js';

export interface Rendered {
  readonly base: readonly KubernetesObject[];
  readonly samples: readonly KubernetesObject[];
  readonly monitoring: readonly KubernetesObject[];
}

type Workload = KubernetesObject & { spec: { replicas?: number; selector: { matchLabels: Record<string, string> }; template: { spec: V1PodSpec } } };

const find = <T extends KubernetesObject>(objs: readonly KubernetesObject[], kind: string, namePrefix: string): T => {
  const o = objs.find((x) => x.kind === kind && (x.metadata?.name ?? '').startsWith(namePrefix));
  if (o === undefined) throw new Error(`${kind} ${namePrefix}* not rendered`);
  return o as T;
};
const container = (w: Workload): V1Container => {
  const c = w.spec.template.spec.containers[0];
  if (c === undefined) throw new Error(`${objectKey(w)} has no container`);
  return c;
};
const configData = (objs: readonly KubernetesObject[], namePrefix: string, key: string): string => {
  const value = find<V1ConfigMap>(objs, 'ConfigMap', namePrefix).data?.[key];
  if (value === undefined) throw new Error(`ConfigMap ${namePrefix}* lacks ${key}`);
  return value;
};

/** Every metric name our code registers with prom-client (name: 'climatik_...'). */
async function declaredMetrics(): Promise<Set<string>> {
  const names = new Set<string>();
  for (const dir of ['extender', 'telemetry', 'capper']) {
    for (const entry of await readdir(join(repoRoot, dir), { recursive: true })) {
      if (!entry.endsWith('.ts') || entry.endsWith('.test.ts')) continue;
      const text = await readFile(join(repoRoot, dir, entry), 'utf8');
      for (const m of text.matchAll(/name: '(climatik_[a-z_]+)'/g)) if (m[1] !== undefined) names.add(m[1]);
    }
  }
  return names;
}

export async function staticChecks(t: Test, r: Rendered): Promise<void> {
  const { base } = r;
  const extender = find<Workload>(base, 'Deployment', 'climatik-extender');
  const scheduler = find<Workload>(base, 'Deployment', 'climatik-scheduler');
  const capper = find<Workload>(base, 'Deployment', 'climatik-capper');
  const agent = find<Workload>(base, 'DaemonSet', 'climatik-node-agent');
  const service = find<V1Service>(base, 'Service', 'climatik-extender');

  await t.test('scheduler config is the template rendered with the extender Service URL', async (t) => {
    const port = service.spec?.ports?.[0]?.port;
    const url = `http://${service.metadata?.name ?? ''}.${service.metadata?.namespace ?? ''}.svc:${String(port)}`;
    const template = await readFile(join(repoRoot, 'scheduler-config', 'climatik-scheduler.yaml'), 'utf8');
    const rendered = await readFile(join(repoRoot, 'deploy', 'base', 'scheduler', 'climatik-scheduler.yaml'), 'utf8');
    t.equal(rendered, template.split('${CLIMATIK_EXTENDER_URL}').join(url), 'deploy/base/scheduler/climatik-scheduler.yaml = envsubst of the template');
    t.equal(configData(base, 'climatik-scheduler-config', 'climatik-scheduler.yaml'), rendered, 'the ConfigMap carries that file');
    const cmd = container(scheduler).command ?? [];
    t.ok(cmd.includes('--config=/etc/kubernetes/climatik-scheduler/climatik-scheduler.yaml'), 'scheduler reads the mounted file');
    const goMod = await readFile(join(repoRoot, 'test', 'k8s-harness', 'control-plane', 'go.mod'), 'utf8');
    const k8s = /k8s\.io\/kubernetes (v[0-9.]+)/.exec(goMod)?.[1];
    t.equal(container(scheduler).image, `registry.k8s.io/kube-scheduler:${k8s ?? '?'}`, 'upstream image of the release the e2e suite runs');
  });

  await t.test('configs are valid for the components and ports and paths line up', async (t) => {
    const ext = extenderConfig(parse(configData(base, 'climatik-extender-config', 'extender.yaml')), 'extender.yaml');
    const extPort = container(extender).ports?.find((p) => p.name === 'http')?.containerPort;
    t.equal(ext.listen.port, extPort, 'extender listens on its containerPort');
    t.equal(service.spec?.ports?.[0]?.targetPort, 'http', 'Service targets that port');
    t.equal(ext.topology.configMapName, 'rack-topology');
    t.equal(ext.topology.configMapNamespace, 'climatik-system');
    const cap = buildConfig(CapperConfigSchema, parse(configData(base, 'climatik-capper-config', 'capper.yaml')), 'capper.yaml');
    const topoMount = container(capper).volumeMounts?.find((m) => m.name === 'topology')?.mountPath;
    t.equal(cap.topologyFile, `${topoMount ?? '?'}/${ext.topology.key}`, 'capper reads the mounted topology ConfigMap key');
    t.equal(container(capper).ports?.[0]?.containerPort, cap.port, 'capper probes its health port');
    t.ok(cap.leaderElection.enabled, 'capper is leader-elected');
    const topology = configData(base, 'rack-topology', ext.topology.key);
    t.equal(topology, await readFile(join(repoRoot, 'examples', 'topology.yaml'), 'utf8'), 'sample topology = examples/topology.yaml');
    t.equal(parseTopology(parse(topology), 'rack-topology').racks.length, 4, 'and rack-model accepts it');
    for (const w of [extender, capper, agent]) {
      const args = container(w).args ?? [];
      t.ok(args[0] !== undefined && args[0] in COMMANDS, `${objectKey(w)} runs a climatik subcommand (${args[0] ?? '?'})`);
    }
  });

  await t.test('workloads: probes, requests, least privilege', async (t) => {
    for (const w of [extender, scheduler, capper, agent]) {
      const c = container(w);
      const pod = w.spec.template.spec;
      t.ok(c.readinessProbe !== undefined && c.livenessProbe !== undefined, `${objectKey(w)} has readiness and liveness probes`);
      t.ok(c.resources?.requests?.cpu !== undefined && c.resources.requests.memory !== undefined, `${objectKey(w)} requests cpu and memory`);
      t.ok(c.resources?.limits?.memory !== undefined, `${objectKey(w)} has a memory limit`);
      t.ok(pod.serviceAccountName?.startsWith('climatik-'), `${objectKey(w)} runs as its own service account`);
      if (w === agent) continue;
      t.equal(pod.securityContext?.runAsNonRoot, true, `${objectKey(w)} non-root`);
      t.same(c.securityContext, { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } }, `${objectKey(w)} container locked down`);
    }
    t.equal(extender.spec.template.spec.containers[0]?.readinessProbe?.httpGet?.path, '/readyz');
    t.equal(extender.spec.template.spec.containers[0]?.livenessProbe?.httpGet?.path, '/healthz');
    t.ok((extender.spec.replicas ?? 0) >= 2, 'extender has 2+ replicas');
    const pdb = find<KubernetesObject & { spec: { selector: { matchLabels: object } } }>(base, 'PodDisruptionBudget', 'climatik-extender');
    t.same(pdb.spec.selector.matchLabels, extender.spec.selector.matchLabels, 'PDB selects the extender');
    const agentPod = agent.spec.template.spec;
    t.equal(container(agent).securityContext?.privileged, true, 'node agent privileged (nvidia-smi -pl)');
    t.same(agentPod.nodeSelector, { 'nvidia.com/gpu.present': 'true' }, 'node agent only on GPU nodes');
    t.ok(agentPod.tolerations?.some((x) => x.key === 'nvidia.com/gpu'), 'tolerates the GPU taint');
    t.notOk(agentPod.hostNetwork === true || agentPod.hostPID === true || (agentPod.volumes ?? []).some((v) => v.hostPath !== undefined), 'no host network, PID or paths');
    t.equal(container(agent).env?.find((e) => e.name === 'NODE_NAME')?.valueFrom?.fieldRef?.fieldPath, 'spec.nodeName');
    const privileged = base.filter((o) => (o as Workload).spec?.template?.spec?.containers?.some((c) => c.securityContext?.privileged === true));
    t.same(privileged.map(objectKey), [objectKey(agent)], 'no other privileged workload');
    const np = find<KubernetesObject & { spec: { ingress: { from: { podSelector?: { matchLabels: object } }[] }[] } }>(base, 'NetworkPolicy', 'climatik-extender');
    t.same(np.spec.ingress.map((i) => i.from), [[{ podSelector: { matchLabels: scheduler.spec.selector.matchLabels } }]], 'only the climatik scheduler may call the extender');
  });

  await t.test('Grafana dashboard uses only metrics our code declares', async (t) => {
    const cm = find<V1ConfigMap>(base, 'ConfigMap', 'climatik-grafana-dashboard');
    t.equal(cm.metadata?.labels?.grafana_dashboard, '1', 'labelled for the Grafana sidecar');
    const json = Object.values(cm.data ?? {})[0] ?? '';
    const dashboard = JSON.parse(json) as { panels: { targets?: { expr: string }[] }[] };
    const used = new Set(dashboard.panels.flatMap((p) => (p.targets ?? []).flatMap((x) => [...x.expr.matchAll(/climatik_[a-z_]+/g)].map((m) => m[0].replace(/_(bucket|sum|count)$/, '')))));
    const declared = await declaredMetrics();
    t.ok(used.size >= 15, `dashboard queries ${used.size} metrics`);
    t.same([...used].filter((m) => !declared.has(m)), [], 'every queried metric is registered somewhere in extender/, telemetry/, capper/');
  });

  await t.test('monitoring overlay: base plus ServiceMonitors selecting our Services', async (t) => {
    const monitors = r.monitoring.filter((o) => o.kind === 'ServiceMonitor');
    t.equal(r.monitoring.length, base.length + monitors.length, 'everything of base is in the overlay');
    t.equal(monitors.length, 3);
    const services = base.filter((o) => o.kind === 'Service') as V1Service[];
    for (const m of monitors as (KubernetesObject & { spec: { selector: { matchLabels: Record<string, string> }; endpoints: { port: string }[] } })[]) {
      const matching = services.filter((s) => Object.entries(m.spec.selector.matchLabels).every(([k, v]) => s.metadata?.labels?.[k] === v));
      t.equal(matching.length, 1, `${objectKey(m)} selects one Service`);
      t.ok(m.spec.endpoints.every((e) => matching[0]?.spec?.ports?.some((p) => p.name === e.port)), `${objectKey(m)} scrapes a named port of it`);
    }
    t.same(r.samples.map((o) => (o as { spec?: { mode?: string } }).spec?.mode), ['Observe'], 'the sample policy only observes');
  });
}
