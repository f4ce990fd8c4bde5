// The scheduler config template renders to what kube-scheduler and deploy/ expect (no cluster needed).
import { readFileSync } from 'node:fs';
import t from 'tap';
import { parse } from 'yaml';
import { renderSchedulerConfig, schedulerConfigTemplatePath } from './scheduler-config.js';

interface Rendered {
  apiVersion: string;
  kind: string;
  leaderElection: { leaderElect: boolean; resourceName: string };
  profiles: { schedulerName: string; percentageOfNodesToScore: number; plugins: { score: { disabled: { name: string }[] } } }[];
  extenders: Record<string, unknown>[];
}

const render = (opts: Parameters<typeof renderSchedulerConfig>[0]): Rendered => parse(renderSchedulerConfig(opts)) as Rendered;

void t.test('production render: one climatik-scheduler profile, extender with every verb', async (t) => {
  const cfg = render({ extenderUrl: 'http://climatik-extender.climatik-system.svc:8080' });
  t.equal(cfg.apiVersion, 'kubescheduler.config.k8s.io/v1');
  t.equal(cfg.kind, 'KubeSchedulerConfiguration');
  t.same(cfg.profiles.map((p) => p.schedulerName), ['climatik-scheduler']);
  t.same(cfg.leaderElection, { leaderElect: true, resourceName: 'climatik-scheduler', resourceNamespace: 'kube-system' });
  t.same(cfg.profiles[0]?.plugins.score.disabled.map((p) => p.name), ['NodeResourcesFit', 'NodeResourcesBalancedAllocation', 'ImageLocality']);
  t.match(cfg.extenders, [
    {
      urlPrefix: 'http://climatik-extender.climatik-system.svc:8080',
      filterVerb: 'filter',
      prioritizeVerb: 'prioritize',
      bindVerb: 'bind',
      nodeCacheCapable: true,
      ignorable: false,
      weight: 10,
      httpTimeout: '3s',
    },
  ]);
  t.equal(cfg.extenders.length, 1);
});

void t.test('render equals envsubst of the template when nothing is overridden', async (t) => {
  const url = 'http://127.0.0.1:41234';
  const envsubst = readFileSync(schedulerConfigTemplatePath, 'utf8').replaceAll('${CLIMATIK_EXTENDER_URL}', url);
  t.same(parse(renderSchedulerConfig({ extenderUrl: url })), parse(envsubst));
});

void t.test('e2e overrides: leader election off, full Nodes form, ignorable', async (t) => {
  const cfg = render({ extenderUrl: 'http://127.0.0.1:41234/', leaderElect: false, nodeCacheCapable: false, ignorable: true });
  t.equal(cfg.leaderElection.leaderElect, false);
  t.match(cfg.extenders[0], { urlPrefix: 'http://127.0.0.1:41234', nodeCacheCapable: false, ignorable: true });
});

void t.test('bad inputs are rejected with the offending value', async (t) => {
  const cases: { name: string; opts: Parameters<typeof renderSchedulerConfig>[0]; error: RegExp }[] = [
    { name: 'not a URL', opts: { extenderUrl: 'climatik-extender:8080/x y' }, error: /Invalid URL|extenderUrl/ },
    { name: 'wrong scheme', opts: { extenderUrl: 'ftp://127.0.0.1:21' }, error: /must be http\(s\), got ftp:\/\/127\.0\.0\.1:21/ },
    { name: 'template without placeholder', opts: { extenderUrl: 'http://x', template: 'kind: KubeSchedulerConfiguration\n' }, error: /lacks \$\{CLIMATIK_EXTENDER_URL\}/ },
    { name: 'broken YAML', opts: { extenderUrl: 'http://x', template: 'a: ${CLIMATIK_EXTENDER_URL}\n b: [\n' }, error: /scheduler config template:/ },
  ];
  for (const c of cases) t.throws(() => renderSchedulerConfig(c.opts), c.error, c.name);
});
