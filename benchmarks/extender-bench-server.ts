// A server process for the extender benchmark: `ours` is the real extender (buildRuntime with the
// background plan, power from a static snapshot), `floor` a bare fastify route that only parses the
// same body and returns its node list. Prints the port on stdout; answers `rss` over IPC.
import Fastify from 'fastify';
import { Registry } from 'prom-client';
import { silentLogger, systemClock } from '../common/index.js';
import { parseTopology } from '../rack-model/index.js';
import { StaticSnapshotSource } from '../telemetry/index.js';
import { extenderConfig } from '../extender/config.js';
import { buildRuntime } from '../extender/runtime.js';
import { TopologyStore } from '../extender/topology-store.js';
import { benchRackPowerW, benchTopologyDoc } from './extender-bench-data.js';

const BODY_LIMIT = 64 * 1024 * 1024;

async function ours(): Promise<{ listen: (o: { host: string; port: number }) => Promise<string> }> {
  const store = new TopologyStore();
  store.set(parseTopology(benchTopologyDoc(), 'bench'));
  const runtime = await buildRuntime({
    config: extenderConfig({ bodyLimitBytes: BODY_LIMIT, logLevel: 'silent' }, 'bench'),
    store,
    power: new StaticSnapshotSource(benchRackPowerW(), systemClock),
    binder: undefined,
    logger: silentLogger(),
    registry: new Registry(),
    clock: systemClock,
  });
  runtime.start();
  return runtime.app;
}

async function floor(): Promise<{ listen: (o: { host: string; port: number }) => Promise<string> }> {
  const app = Fastify({ bodyLimit: BODY_LIMIT });
  const echo = async (request: { body: unknown }) => {
    const body = request.body as { NodeNames?: string[] | null; Nodes?: { items: unknown[] } | null };
    return Array.isArray(body.NodeNames) ? { NodeNames: body.NodeNames } : { Nodes: { items: body.Nodes?.items ?? [] } };
  };
  app.post('/filter', echo);
  app.post('/prioritize', echo);
  return app;
}

const kind = process.argv[2];
const app = kind === 'floor' ? await floor() : await ours();
const address = await app.listen({ host: '127.0.0.1', port: 0 });
process.on('message', (msg) => {
  if (msg === 'rss') {
    // A full collection first (the child runs with --expose-gc), so heap numbers are live data, not garbage.
    (globalThis as { gc?: () => void }).gc?.();
    process.send?.({ rssBytes: process.memoryUsage().rss, heapUsedBytes: process.memoryUsage().heapUsed });
  }
  if (msg === 'exit') process.exit(0);
});
process.send?.({ address });
