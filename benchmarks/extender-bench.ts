// Extender benchmark (not a test): filter+prioritize latency at 100, 1,000 and 5,000 nodes in both
// request forms, against a floor (a bare fastify route that only parses the same body and returns
// its node list), over real loopback sockets, servers in child processes. Several rounds, medians,
// ratio ours/floor. Then a bounded soak with RSS at start and end.
//   npm run bench:extender -- [--sizes 100,1000,5000] [--rounds 3] [--round-seconds 2.5] [--soak-seconds 120]
import { fork, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { extenderArgs, type Form } from './extender-bench-data.js';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '100,1000,5000' },
    rounds: { type: 'string', default: '3' },
    'round-seconds': { type: 'string', default: '2.5' },
    'soak-seconds': { type: 'string', default: '120' },
    'soak-concurrency': { type: 'string', default: '4' },
  },
});
const SIZES = (values.sizes ?? '').split(',').map(Number);
const ROUNDS = Number(values.rounds);
const ROUND_MS = Number(values['round-seconds']) * 1000;
const SOAK_MS = Number(values['soak-seconds']) * 1000;
const SOAK_CONCURRENCY = Number(values['soak-concurrency']);

interface Server {
  readonly kind: string;
  readonly url: URL;
  memory(): Promise<{ rssBytes: number; heapUsedBytes: number }>;
  stop(): void;
}

async function startServer(kind: 'ours' | 'floor'): Promise<Server> {
  const child: ChildProcess = fork(fileURLToPath(new URL('./extender-bench-server.ts', import.meta.url)), [kind], { execArgv: [...process.execArgv, '--expose-gc'], stdio: 'inherit' });
  const address = await new Promise<string>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { address: string }).address));
    child.once('exit', (code) => reject(new Error(`${kind} server exited with ${code}`)));
  });
  return {
    kind,
    url: new URL(address),
    memory: () => new Promise((resolve) => {
      child.once('message', (m) => resolve(m as { rssBytes: number; heapUsedBytes: number }));
      child.send('rss');
    }),
    stop: () => void child.send('exit'),
  };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });

function post(url: URL, path: string, body: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, path, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': body.length } },
      (res) => {
        res.on('data', () => {});
        res.on('end', () => (res.statusCode === 200 ? resolve(res.statusCode) : reject(new Error(`${path} answered ${res.statusCode}`))));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** One scheduling cycle as kube-scheduler runs it: filter, then prioritize, same node list. */
async function cycle(url: URL, body: Buffer): Promise<number> {
  const start = process.hrtime.bigint();
  await post(url, '/filter', body);
  await post(url, '/prioritize', body);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

interface RoundStats { p50Ms: number; p99Ms: number; reqPerS: number; samples: number }

async function round(url: URL, body: Buffer, budgetMs: number): Promise<RoundStats> {
  const samples: number[] = [];
  const start = Date.now();
  while (Date.now() - start < budgetMs && samples.length < 2000) samples.push(await cycle(url, body));
  const elapsedS = (Date.now() - start) / 1000;
  samples.sort((a, b) => a - b);
  const q = (p: number) => samples[Math.min(samples.length - 1, Math.floor(p * samples.length))] ?? Number.NaN;
  return { p50Ms: q(0.5), p99Ms: q(0.99), reqPerS: (2 * samples.length) / elapsedS, samples: samples.length };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const f = (x: number, d = 2) => x.toFixed(d);

async function main(): Promise<void> {
  const [ours, floor] = [await startServer('ours'), await startServer('floor')];
  console.log(`extender benchmark: ${ROUNDS} rounds × ${ROUND_MS / 1000} s per cell, filter+prioritize per sample, concurrency 1`);
  console.log('| nodes | form | body | ours p50 ms | ours p99 ms | ours req/s | floor p50 ms | floor p99 ms | floor req/s | p50 ours/floor | p99 ours/floor |');
  console.log('|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const n of SIZES) {
    for (const form of ['NodeNames', 'Nodes'] as Form[]) {
      const body = Buffer.from(extenderArgs(n, form));
      for (const s of [ours, floor]) for (let i = 0; i < 5; i++) await cycle(s.url, body); // warm-up (JIT, sockets)
      const o: RoundStats[] = [];
      const fl: RoundStats[] = [];
      for (let r = 0; r < ROUNDS; r++) {
        o.push(await round(ours.url, body, ROUND_MS));
        fl.push(await round(floor.url, body, ROUND_MS));
      }
      const m = (xs: RoundStats[], k: keyof RoundStats) => median(xs.map((x) => x[k]));
      console.log(
        `| ${n} | ${form} | ${f(body.length / 1024 / 1024, 2)} MB | ${f(m(o, 'p50Ms'))} | ${f(m(o, 'p99Ms'))} | ${f(m(o, 'reqPerS'), 0)} | ` +
          `${f(m(fl, 'p50Ms'))} | ${f(m(fl, 'p99Ms'))} | ${f(m(fl, 'reqPerS'), 0)} | ${f(m(o, 'p50Ms') / m(fl, 'p50Ms'))} | ${f(m(o, 'p99Ms') / m(fl, 'p99Ms'))} |`,
      );
    }
  }
  floor.stop();
  if (SOAK_MS > 0) await soak(ours);
  ours.stop();
  agent.destroy();
}

/**
 * High rate: mostly NodeNames requests (the nodeCacheCapable setup), one in eight a full Nodes
 * request, and every cycle a new pod UID, so the bind cache fills to its bound.
 */
async function soak(server: Server): Promise<void> {
  const names = Array.from({ length: 64 }, (_, i) => extenderArgs(1000, 'NodeNames', i));
  const full = Array.from({ length: 4 }, (_, i) => extenderArgs(1000, 'Nodes', i));
  const podUid = /00000000-0000-4000-8000-\d{12}/;
  let podIndex = 0;
  const nextBody = (): Buffer => {
    const i = podIndex++;
    const template = (i % 8 === 7 ? full[i % full.length] : names[i % names.length]) as string;
    return Buffer.from(template.replace(podUid, `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`));
  };
  const warmUntil = Date.now() + Math.min(10_000, SOAK_MS / 4);
  while (Date.now() < warmUntil) await cycle(server.url, nextBody());
  const start = await server.memory();
  const startMs = Date.now();
  let cycles = 0;
  const worker = async () => {
    while (Date.now() - startMs < SOAK_MS) {
      await cycle(server.url, nextBody());
      cycles++;
    }
  };
  await Promise.all(Array.from({ length: SOAK_CONCURRENCY }, worker));
  const end = await server.memory();
  const seconds = (Date.now() - startMs) / 1000;
  const mb = (b: number) => f(b / 1024 / 1024, 1);
  console.log(`\nsoak: ${f(seconds, 0)} s, ${cycles} filter+prioritize cycles (${f((2 * cycles) / seconds, 0)} req/s, concurrency ${SOAK_CONCURRENCY}, 1,000 nodes, 7/8 NodeNames + 1/8 Nodes, a new pod UID per cycle)`);
  console.log(`soak: RSS ${mb(start.rssBytes)} MB after warm-up → ${mb(end.rssBytes)} MB at end; heap used ${mb(start.heapUsedBytes)} → ${mb(end.heapUsedBytes)} MB`);
}

await main();
