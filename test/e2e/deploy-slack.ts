// Checks of deploy/overlays/slack-approvals (base + components/slack-approvals) that need no API
// server: it changes only the capper (Deployment, config) and adds the Slack Service and Ingress;
// the capper config still validates and names the mounted Secret and the container port; the Service
// routes only to the leader (capper/leader-label.ts); the Ingress exposes only /slack/actions; the
// example Secret holds exactly what the capper reads from it. Applying it: deploy.e2e.test.ts.
import type { KubernetesObject, V1ConfigMap, V1Container, V1Deployment, V1Ingress, V1Secret, V1Service } from '@kubernetes/client-node';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Test } from 'tap';
import { parse } from 'yaml';
import { CapperConfigSchema } from '../../capper/config.js';
import { LEADER_LABEL } from '../../capper/leader-label.js';
import { readSlackSecrets } from '../../capper/sinks/config.js';
import { buildConfig } from '../../common/index.js';
import { repoRoot } from './cluster.js';
import { objectKey } from './deploy-support.js';

export const SLACK_COMPONENT = 'deploy/components/slack-approvals';

export interface SlackRendered {
  readonly base: readonly KubernetesObject[];
  /** deploy/overlays/slack-approvals */
  readonly slack: readonly KubernetesObject[];
  /** deploy/overlays/monitoring (its ServiceMonitors must not pick up the Slack Service) */
  readonly monitoring: readonly KubernetesObject[];
}

const byKey = (objs: readonly KubernetesObject[]) => new Map(objs.map((o) => [objectKey(o), o]));
const capperOf = (objs: readonly KubernetesObject[]): { deployment: V1Deployment; container: V1Container } => {
  const deployment = objs.find((o) => o.kind === 'Deployment' && o.metadata?.name === 'climatik-capper') as V1Deployment | undefined;
  const container = deployment?.spec?.template.spec?.containers.find((c) => c.name === 'capper');
  if (deployment === undefined || container === undefined) throw new Error('capper Deployment / container not rendered');
  return { deployment, container };
};
/** The capper config the Deployment actually mounts (the generator's hashed name). */
const mountedConfig = (objs: readonly KubernetesObject[], deployment: V1Deployment): string => {
  const name = deployment.spec?.template.spec?.volumes?.find((v) => v.name === 'config')?.configMap?.name;
  const cm = objs.find((o) => o.kind === 'ConfigMap' && o.metadata?.name === name) as V1ConfigMap | undefined;
  const text = cm?.data?.['capper.yaml'];
  if (text === undefined) throw new Error(`ConfigMap ${name ?? '?'} with capper.yaml not rendered`);
  return text;
};

export async function slackStaticChecks(t: Test, r: SlackRendered): Promise<void> {
  const base = byKey(r.base);
  const slack = byKey(r.slack);
  const { deployment, container } = capperOf(r.slack);
  const baseCapper = capperOf(r.base);
  const service = r.slack.find((o) => o.kind === 'Service' && o.metadata?.name === 'climatik-capper-slack') as V1Service | undefined;
  const ingress = r.slack.find((o) => o.kind === 'Ingress') as V1Ingress | undefined;
  if (service === undefined || ingress === undefined) throw new Error('Slack Service / Ingress not rendered');

  await t.test('the component changes only the capper and adds the Slack Service and Ingress', async (t) => {
    const added = [...slack.keys()].filter((k) => !base.has(k));
    const gone = [...base.keys()].filter((k) => !slack.has(k));
    t.same(added.filter((k) => !k.startsWith('ConfigMap climatik-system/climatik-capper-config-')).sort(), ['Ingress climatik-system/climatik-capper-slack', 'Service climatik-system/climatik-capper-slack']);
    t.same(gone.map((k) => k.replace(/-[a-z0-9]{10}$/, '')), ['ConfigMap climatik-system/climatik-capper-config'], 'the capper config is replaced (new hash: the Deployment rolls)');
    const changed = [...base.keys()].filter((k) => slack.has(k) && JSON.stringify(slack.get(k)) !== JSON.stringify(base.get(k)));
    t.same(changed, ['Deployment climatik-system/climatik-capper'], 'every other object of base is untouched');
    t.notOk(r.slack.some((o) => o.kind === 'Secret'), 'no Secret is rendered (the operator creates climatik-slack)');
  });

  await t.test('capper: config validates, the Secret is mounted at secretDir, the actions port is exposed', async (t) => {
    const configText = mountedConfig(r.slack, deployment);
    const cfg = buildConfig(CapperConfigSchema, parse(configText), 'capper.yaml');
    const slackCfg = cfg.notifications?.slack;
    if (slackCfg === undefined) throw new Error('notifications.slack missing from the rendered config');
    const { notifications, ...rest } = parse(configText) as Record<string, unknown>;
    t.same(Object.keys(notifications as object), ['slack'], 'only Slack is configured');
    t.same(rest, parse(mountedConfig(r.base, baseCapper.deployment)), 'the rest of the config is base/config/capper.yaml');
    t.notMatch(configText, /hooks\.slack\.com|signing-secret:|webhook-url:/, 'no Slack secret in the config');
    const port = container.ports?.find((p) => p.name === 'slack');
    t.equal(port?.containerPort, slackCfg.actionsPort, 'container port `slack` = notifications.slack.actionsPort');
    const mount = container.volumeMounts?.find((m) => m.name === 'slack');
    t.equal(mount?.mountPath, slackCfg.secretDir, 'the Secret is mounted at secretDir');
    t.equal(mount?.readOnly, true, 'read-only');
    const volume = deployment.spec?.template.spec?.volumes?.find((v) => v.name === 'slack');
    t.same(volume?.secret, { secretName: 'climatik-slack' }, 'from the Secret climatik-slack, not optional');
    t.same(container.ports?.find((p) => p.name === 'http'), baseCapper.container.ports?.find((p) => p.name === 'http'), 'the health port is unchanged');
    for (const [name, fieldPath] of [['POD_NAME', 'metadata.name'], ['POD_NAMESPACE', 'metadata.namespace']] as const) {
      t.equal(container.env?.find((e) => e.name === name)?.valueFrom?.fieldRef?.fieldPath, fieldPath, `${name} from the downward API (${fieldPath})`);
      t.equal(baseCapper.container.env?.find((e) => e.name === name)?.valueFrom?.fieldRef?.fieldPath, fieldPath, `${name} is in base too (the leader label works without Slack)`);
    }
  });

  await t.test('the Slack Service routes only to the leader capper, the Ingress only /slack/actions', async (t) => {
    const podLabels = deployment.spec?.template.metadata?.labels ?? {};
    const selector = service.spec?.selector ?? {};
    t.equal(selector[LEADER_LABEL], 'true', `selects ${LEADER_LABEL}=true`);
    t.notOk(LEADER_LABEL in podLabels, 'which the Pod template does not carry (only the leader sets it on its own Pod)');
    t.same(Object.entries(selector).filter(([k]) => k !== LEADER_LABEL), Object.entries(deployment.spec?.selector.matchLabels ?? {}), 'and the capper Deployment\'s own selector');
    const sp = service.spec?.ports?.[0];
    t.equal(service.spec?.ports?.length, 1, 'one port');
    t.equal(sp?.port, 9104);
    t.ok(container.ports?.some((p) => p.name === sp?.targetPort), `targetPort ${String(sp?.targetPort)} is a named container port`);
    const paths = ingress.spec?.rules?.flatMap((rule) => rule.http?.paths ?? []) ?? [];
    t.same(paths.map((p) => [p.path, p.pathType]), [['/slack/actions', 'Exact']], 'the Ingress exposes only POST /slack/actions');
    t.equal(paths[0]?.backend.service?.name, service.metadata?.name);
    t.ok(service.spec?.ports?.some((p) => p.name === paths[0]?.backend.service?.port?.name), 'to a named port of the Service');
    t.same(ingress.spec?.tls?.[0]?.hosts, [ingress.spec?.rules?.[0]?.host], 'TLS for the host (Slack calls https only)');
    const monitors = r.monitoring.filter((o) => o.kind === 'ServiceMonitor') as (KubernetesObject & { spec: { selector: { matchLabels: Record<string, string> } } })[];
    const picked = monitors.filter((m) => Object.entries(m.spec.selector.matchLabels).every(([k, v]) => service.metadata?.labels?.[k] === v));
    t.same(picked.map(objectKey), [], 'no ServiceMonitor scrapes the Slack Service (it has no /metrics)');
  });

  await t.test('the example Secret holds exactly what the capper reads', async (t) => {
    const example = parse(await readFile(join(repoRoot, SLACK_COMPONENT, 'secret.example.yaml'), 'utf8')) as V1Secret;
    t.equal(example.metadata?.name, 'climatik-slack');
    t.equal(example.metadata?.namespace, 'climatik-system');
    const data = example.stringData ?? {};
    const read = (file: string): Promise<string> => {
      const value = data[basename(file)];
      return value === undefined ? Promise.reject(new Error(`${file}: no such key`)) : Promise.resolve(value);
    };
    const secrets = await readSlackSecrets('/etc/climatik/slack', read);
    t.match(secrets.webhookUrl, /^https:\/\/hooks\.slack\.com\/services\/REPLACE\//, 'webhook-url is a placeholder');
    t.ok(secrets.signingSecret.startsWith('replace-with'), 'signing-secret is a placeholder');
    t.same(Object.keys(data).sort(), ['signing-secret', 'webhook-url'], 'and nothing else');
  });
}
