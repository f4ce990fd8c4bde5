import { fileURLToPath } from 'node:url';
import t from 'tap';
import { ManualClock, silentLogger } from '../common/index.js';
import { configFrom, run, startExtender } from './main.js';

const example = (f: string) => fileURLToPath(new URL(`./examples/${f}`, import.meta.url));

void t.test('config: defaults fill everything; the example cluster config is valid', async (t) => {
  const cfg = await configFrom({});
  t.match(cfg, {
    listen: { address: '0.0.0.0', port: 8888 },
    topology: { configMapNamespace: 'climatik-system', configMapName: 'rack-topology', key: 'topology.yaml' },
    telemetry: { staleAfter: '2m', readyWithoutTelemetry: false },
    podPower: { wattsPerGpu: 700, gpuModelLabel: 'nvidia.com/gpu.product' },
    unknownNodePolicy: 'allow',
    plan: { planner: 'lp', worker: true, solveDeadline: '2m' },
  });
  t.ok(Object.isFrozen(cfg.podPower));
  const file = await configFrom({ config: example('extender.yaml') });
  t.equal(file.podPower.wattsPerGpuByModel['NVIDIA-A100-SXM4-40GB'], 400);
  const flags = await configFrom({ config: example('extender.yaml'), port: '9999', prometheus: 'http://prom:9090' });
  t.equal(flags.listen.port, 9999, 'flags override the file');
});

void t.test('config: every problem named with its path', async (t) => {
  const bad = async (flags: Parameters<typeof configFrom>[0], pattern: RegExp) => {
    const err = (await configFrom(flags).then(() => undefined, (e: unknown) => e)) as { code?: string; issues?: { path: string }[] } | undefined;
    t.ok(err?.issues?.some((i) => pattern.test(i.path)), `${JSON.stringify(flags)} → ${JSON.stringify(err?.issues)}`);
    return err;
  };
  t.equal((await bad({ port: '0' }, /--port/))?.code, 'CLIMATIK_USAGE');
  t.equal((await bad({ 'power-file': example('power.json') }, /--topology/))?.code, 'CLIMATIK_USAGE');
  t.equal((await bad({ topology: 'x', 'power-file': 'y', prometheus: 'http://p' }, /^\/telemetry$/))?.code, 'CLIMATIK_CONFIG_INVALID');
});

void t.test('offline mode: topology and power from files, bind needs API access', async (t) => {
  const cfg = await configFrom({ topology: example('topology.yaml'), 'power-file': example('power.json'), port: '18080' });
  const started = await startExtender(cfg, { logger: silentLogger(), clock: new ManualClock(1_750_000_000_000) });
  t.teardown(() => started.stop());
  t.equal(started.mode, 'offline');
  const { app } = started.runtime;
  t.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);
  const pod = { metadata: { name: 'p', namespace: 'd', uid: 'u' }, spec: { containers: [{ resources: { limits: { 'nvidia.com/gpu': '1' } } }] } };
  const filter = await app.inject({ method: 'POST', url: '/filter', payload: { Pod: pod, NodeNames: ['gpu-1a', 'gpu-2a'] } });
  t.match(filter.json(), { NodeNames: ['gpu-2a'], FailedNodes: { 'gpu-1a': /rack r1: power 9500 W current \+ 700 W pod = 10200 W exceeds budget 10000 W$/ } });
  const labelled = { metadata: { name: 'gpu-4a', labels: { 'topology.climatik.io/rack': 'r4' } } };
  const prioritize = await app.inject({ method: 'POST', url: '/prioritize', payload: { Pod: pod, Nodes: { items: [labelled] } } });
  t.equal(prioritize.json<{ Host: string }[]>()[0]?.Host, 'gpu-4a');
  const bind = await app.inject({ method: 'POST', url: '/bind', payload: { PodName: 'p', PodNamespace: 'd', PodUID: 'u', Node: 'gpu-2a' } });
  t.same(bind.json(), { Error: 'bind needs API access (offline mode)' });
  await started.runtime.plans.settled();
  t.equal(started.runtime.plans.latest()?.plan.planner, 'lp', 'plan computed at start, in the worker thread (plan.worker defaults to true)');
  t.equal(started.runtime.upkeep(), 0);
});

void t.test('run --help prints usage and exits 0', async (t) => {
  const out: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string) => (out.push(chunk), true)) as typeof process.stdout.write;
  let code: number;
  try {
    code = await run(['--help']);
  } finally {
    process.stdout.write = write;
  }
  t.equal(code, 0);
  t.match(out.join(''), /climatik extender --topology FILE --power-file FILE/);
  await t.rejects(run(['--bogus']), { code: 'CLIMATIK_USAGE' });
});
