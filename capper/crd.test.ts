import { readFile } from 'node:fs/promises';
import t from 'tap';
import { parse } from 'yaml';
import { buildPolicyCrd, policyCrdYaml, toStructuralSchema } from './crd.js';

void t.test('deploy/crds/powercappingpolicies.yaml is the generated CRD (regenerate with climatik capper --print-crd)', async (t) => {
  const file = await readFile(new URL('../deploy/crds/powercappingpolicies.yaml', import.meta.url), 'utf8');
  t.equal(file, policyCrdYaml());
  t.same(parse(file), buildPolicyCrd());
});

void t.test('structural schema translation', async (t) => {
  const cases: [string, Record<string, unknown>, Record<string, unknown>][] = [
    ['literal union → enum', { anyOf: [{ type: 'string', const: 'A' }, { type: 'string', const: 'B' }], default: 'A' }, { type: 'string', enum: ['A', 'B'], default: 'A' }],
    ['numeric exclusiveMinimum → boolean form', { type: 'number', exclusiveMinimum: 0 }, { type: 'number', minimum: 0, exclusiveMinimum: true }],
    ['record → additionalProperties', { type: 'object', patternProperties: { '^.*$': { type: 'string' } } }, { type: 'object', additionalProperties: { type: 'string' } }],
    [
      'closed object: additionalProperties false dropped, required kept',
      { type: 'object', required: ['a'], properties: { a: { type: 'integer' } }, additionalProperties: false },
      { type: 'object', properties: { a: { type: 'integer' } }, required: ['a'] },
    ],
  ];
  for (const [name, input, want] of cases) t.same(toStructuralSchema(input), want, name);
  t.throws(() => toStructuralSchema({ anyOf: [{ type: 'string' }, { type: 'number' }] }), /literal unions/);
});

void t.test('the CRD has printer columns and the status subresource', async (t) => {
  const crd = buildPolicyCrd() as { spec: { versions: { subresources: unknown; additionalPrinterColumns: { name: string }[] }[] } };
  const v = crd.spec.versions[0];
  t.same(v?.subresources, { status: {} });
  t.same(v?.additionalPrinterColumns.map((c) => c.name), ['Mode', 'RacksOverCap', 'Actions', 'Ready', 'Age']);
});
