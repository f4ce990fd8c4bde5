// The policy a newcomer copies from the project README must be one the capper accepts.
import { readFileSync } from 'node:fs';
import t from 'tap';
import { parse } from 'yaml';
import { resolvePolicy } from './policy-validate.js';

void t.test('README: the example PowerCappingPolicy is valid and means what the text says', async (t) => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const blocks = readme.split('```yaml').slice(1).map((b) => b.split('```')[0] ?? '');
  const policies = blocks.map((b) => parse(b) as { kind?: string; spec?: unknown; metadata?: { name: string; namespace: string } }).filter((d) => d.kind === 'PowerCappingPolicy');
  t.equal(policies.length, 1, 'one example policy');
  const doc = policies[0];
  const resolved = resolvePolicy(doc?.spec, { namespace: doc?.metadata?.namespace ?? '', name: doc?.metadata?.name ?? '' });
  t.match(resolved, { mode: 'Recommend', racks: ['a1', 'a2', 'a3'], cap: { percentOfBudget: 90 }, observationWindowMs: 4 * 3600_000, gpuPowerLimits: { enabled: true, floorW: 200 } });
});
