import t from 'tap';
import Type from 'typebox';
import { ClimatikError, buildConfig, formatIssue, parseDurationMs, energyKWh, numberFlag, parseDocument, validator, deepFreeze } from './index.js';

t.test('durations: Kubernetes style strings to milliseconds', async (t) => {
  const cases: [string, number | undefined][] = [
    ['4h', 14_400_000], ['90s', 90_000], ['1h30m', 5_400_000], ['250ms', 250], ['1.5m', 90_000],
    ['', undefined], ['4', undefined], ['h', undefined], ['4d', undefined], ['-1s', undefined], ['1s junk', undefined],
  ];
  for (const [text, want] of cases) t.equal(parseDurationMs(text), want, JSON.stringify(text));
});

t.test('energy: 1 kW for an hour is 1 kWh', async (t) => {
  t.equal(energyKWh(1000, 3_600_000), 1);
  t.equal(energyKWh(500, 1_800_000), 0.25);
});

const Schema = Type.Object(
  {
    port: Type.Integer({ minimum: 1, maximum: 65535, default: 8888 }),
    name: Type.String({ minLength: 1 }),
    nested: Type.Optional(Type.Object({ w: Type.Number({ minimum: 0 }) }, { additionalProperties: false })),
  },
  { additionalProperties: false },
);

t.test('config: defaults filled, result frozen', async (t) => {
  const cfg = buildConfig(Schema, { name: 'x' }, 'test');
  t.equal(cfg.port, 8888);
  t.ok(Object.isFrozen(cfg));
});

t.test('config: every problem reported with its path and value', async (t) => {
  const err = t.throws(() => buildConfig(Schema, { port: 0, name: '', nested: { w: -1 }, extra: true }, 'test.yaml')) as unknown;
  t.ok(err instanceof ClimatikError);
  const e = err as ClimatikError;
  t.equal(e.code, 'CLIMATIK_CONFIG_INVALID');
  const paths = e.issues.map((i) => i.path).sort();
  t.same(paths, ['/extra', '/name', '/nested/w', '/port']);
  const port = e.issues.find((i) => i.path === '/port');
  t.equal(port?.value, 0);
  t.match(e.describe(), /\/nested\/w: .*\(value: -1\)/);
});

t.test('validator.issues is empty for a good value', async (t) => {
  t.same(validator(Schema).issues({ port: 1, name: 'a' }), []);
});

t.test('parseDocument: YAML syntax errors are CLIMATIK_CONFIG_UNREADABLE naming the source', async (t) => {
  t.throws(() => parseDocument('a: [1, 2', 'bad.yaml'), { code: 'CLIMATIK_CONFIG_UNREADABLE', message: /bad\.yaml/ });
  t.throws(() => parseDocument('a: 1\na: 2\n', 'dup.yaml'), { code: 'CLIMATIK_CONFIG_UNREADABLE' });
  t.same(parseDocument('{"a": 1}', 'json'), { a: 1 });
});

t.test('formatIssue truncates long values', async (t) => {
  const line = formatIssue({ path: '/a', message: 'bad', value: 'x'.repeat(500) });
  t.ok(line.length < 200);
  t.equal(formatIssue({ path: '', message: 'bad' }), '(root): bad');
});

t.test('numberFlag names the flag on bad input', async (t) => {
  t.equal(numberFlag('12.5', 'demand-w', { min: 0 }), 12.5);
  t.equal(numberFlag(undefined, 'x'), undefined);
  t.throws(() => numberFlag('abc', 'demand-w'), { code: 'CLIMATIK_USAGE', message: /--demand-w/ });
  t.throws(() => numberFlag('-1', 'demand-w', { min: 0 }), { code: 'CLIMATIK_USAGE' });
  t.throws(() => numberFlag('1.5', 'seed', { integer: true }), { code: 'CLIMATIK_USAGE' });
});

t.test('deepFreeze freezes nested arrays', async (t) => {
  const v = deepFreeze({ a: [[1, 2]] });
  t.ok(Object.isFrozen(v.a[0]));
});
