// Property-based fuzzing of every verb: thousands of malformed and adversarial bodies. The
// service must never answer 5xx; every answer is a 400 naming what is wrong, or a valid result of
// the verb's wire type.
import fc from 'fast-check';
import t from 'tap';
import type { Binder } from './binder.js';
import { gpuPod, testExtender, wireNode } from './testing/fixtures.js';

type Verb = '/filter' | '/prioritize' | '/bind';
const VERBS: readonly Verb[] = ['/filter', '/prioritize', '/bind'];
const RUNS_PER_GENERATOR = 600; // × 3 generators × 3 verbs ≈ 5,400 requests

const names = fc.oneof(fc.constantFrom('gpu-1a', 'gpu-1b', 'gpu-2a', 'gpu-3a', 'cpu-9', '__proto__', 'constructor', ''), fc.string({ maxLength: 20 }));
const nasty = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(null, 0, -1, 1e308, -0, '', 'NaN', 'Infinity', '-5', '1e9', [], {}, [[[[[]]]]], { __proto__: { polluted: true } }),
  fc.string({ unit: 'binary', maxLength: 50 }),
);

/** A valid ExtenderArgs with random parts swapped for nonsense. */
const mutatedArgs = fc
  .record({
    pod: fc.oneof({ arbitrary: fc.constant(gpuPod()), weight: 8 }, nasty, fc.record({ metadata: fc.record({ annotations: fc.dictionary(fc.string(), nasty) }) })),
    form: fc.constantFrom('names', 'names', 'nodes', 'nodes', 'both', 'neither', 'nulls'),
    list: fc.array(fc.oneof({ arbitrary: fc.constantFrom('gpu-1a', 'gpu-2a', 'gpu-3a', 'cpu-9'), weight: 6 }, names), { maxLength: 12 }),
    nodeJunk: fc.oneof({ arbitrary: fc.constant(undefined), weight: 5 }, nasty),
    annotation: fc.option(fc.oneof(fc.string(), fc.constantFrom('700', '-1', '1e400', 'NaN', ' 12 ')), { nil: undefined }),
    extra: fc.dictionary(fc.string({ maxLength: 8 }), nasty, { maxKeys: 3 }),
  })
  .map(({ pod, form, list, nodeJunk, annotation, extra }) => {
    const p = annotation !== undefined && pod !== null && typeof pod === 'object' && !Array.isArray(pod)
      ? { ...pod, metadata: { annotations: { 'climatik.io/expected-power-watts': annotation } } }
      : pod;
    const nodes = { items: list.map((n, i) => (i === 0 && nodeJunk !== undefined ? nodeJunk : wireNode(n))) };
    const body: Record<string, unknown> = { ...extra, Pod: p };
    if (form === 'names' || form === 'both') body.NodeNames = list;
    if (form === 'nodes' || form === 'both') body.Nodes = nodes;
    if (form === 'nulls') Object.assign(body, { Nodes: null, NodeNames: null });
    return JSON.stringify(body);
  });

const sometimes = <T>(good: fc.Arbitrary<T>) => fc.oneof({ arbitrary: good, weight: 6 }, nasty);
const mutatedBind = fc
  .record({ PodName: sometimes(fc.constantFrom('llm-0', 'llm-1')), PodNamespace: sometimes(fc.constant('inference')), PodUID: sometimes(fc.uuid()), Node: sometimes(names) }, { requiredKeys: ['PodName', 'PodNamespace', 'PodUID'] })
  .map((b) => JSON.stringify(b));

/** Bytes that are not JSON at all, or JSON truncated mid-way. */
const garbage = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.jsonValue().map((v) => JSON.stringify(v) ?? ''),
  mutatedArgs.chain((s) => fc.nat({ max: s.length }).map((n) => s.slice(0, n))),
  fc.nat({ max: 2000 }).map((d) => '['.repeat(d) + ']'.repeat(d)),
  fc.constantFrom('{"__proto__":{"x":1},"Pod":{}}', '{"constructor":{"prototype":{"x":1}}}', '\u0000', '{"Pod":{},"NodeNames":["a"],"NodeNames":[1]}'),
);

class CountingBinder implements Binder {
  calls = 0;
  async bind() {
    this.calls++;
    return 'bound' as const;
  }
}

function checkAnswer(verb: Verb, request: string, status: number, body: unknown): string | undefined {
  if (status === 400) {
    const b = body as { error?: unknown; code?: unknown; issues?: unknown };
    if (typeof b.error !== 'string' || b.error === '' || typeof b.code !== 'string' || !Array.isArray(b.issues)) return 'bad 400 shape';
    for (const i of b.issues as { path?: unknown; message?: unknown }[]) if (typeof i.path !== 'string' || typeof i.message !== 'string') return 'bad issue';
    return undefined;
  }
  if (status !== 200) return `status ${status}`;
  const req = JSON.parse(request) as Record<string, unknown>;
  if (verb === '/bind') return typeof (body as { Error?: unknown }).Error === 'string' ? undefined : 'bind without Error string';
  if (verb === '/prioritize') {
    if (!Array.isArray(body)) return 'prioritize not a list';
    for (const h of body as { Host?: unknown; Score?: unknown }[]) {
      if (typeof h.Host !== 'string' || !Number.isInteger(h.Score) || (h.Score as number) < 0 || (h.Score as number) > 10) return 'bad HostPriority';
    }
    return undefined;
  }
  const f = body as { NodeNames?: unknown; Nodes?: { items?: unknown }; FailedNodes?: unknown; FailedAndUnresolvableNodes?: unknown; Error?: unknown };
  if (typeof f.Error !== 'string' || typeof f.FailedNodes !== 'object' || typeof f.FailedAndUnresolvableNodes !== 'object') return 'bad filter shape';
  const askedNames = Array.isArray(req.NodeNames);
  const askedNodes = req.Nodes !== null && typeof req.Nodes === 'object';
  if (askedNames !== Array.isArray(f.NodeNames)) return 'NodeNames answer does not match the request form';
  if (askedNodes !== Array.isArray(f.Nodes?.items)) return 'Nodes answer does not match the request form';
  if (askedNames) {
    const input = new Set(askedNodes ? (req.Nodes as { items: { metadata: { name: string } }[] }).items.map((n) => n.metadata.name) : (req.NodeNames as string[]));
    for (const n of f.NodeNames as string[]) if (!input.has(n)) return `answered a node not asked about: ${n}`;
  }
  return undefined;
}

void t.test('fuzz: no 5xx, every answer a 400 with a reason or a valid result', async (t) => {
  const binder = new CountingBinder();
  const { app } = await testExtender({ binder, settings: { bodyLimitBytes: 256 * 1024 } });
  let requests = 0;
  const statuses: Record<number, number> = {};
  for (const verb of VERBS) {
    for (const gen of [verb === '/bind' ? mutatedBind : mutatedArgs, garbage, fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v) ?? 'null')]) {
      await fc.assert(
        fc.asyncProperty(gen, async (payload) => {
          const res = await app.inject({ method: 'POST', url: verb, payload, headers: { 'content-type': 'application/json' } });
          requests++;
          statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
          let body: unknown;
          try {
            body = res.json();
          } catch {
            return false;
          }
          const problem = checkAnswer(verb, payload, res.statusCode, body);
          if (problem !== undefined) throw new Error(`${verb} ${problem}: ${payload.slice(0, 200)} → ${res.body.slice(0, 200)}`);
          return true;
        }),
        { numRuns: RUNS_PER_GENERATOR },
      );
    }
  }
  t.ok(requests >= 5000, `${requests} requests`);
  t.notOk(Object.keys(statuses).some((s) => Number(s) >= 500), `statuses ${JSON.stringify(statuses)}`);
  t.ok((statuses[200] ?? 0) > 800 && (statuses[400] ?? 0) > 2000, 'both valid and invalid bodies were exercised');
  t.ok(binder.calls > 0, 'valid binds reached the binder');
});
