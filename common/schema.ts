// One way to check a value against a TypeBox schema: every error with its path and the offending
// value, never just the first. The schema is the single source of both the check and the type.
import type { Static, TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { Value } from 'typebox/value';
import { ClimatikError, type ErrorCode, type FieldIssue } from './errors.js';

export type Validator<S extends TSchema> = {
  readonly schema: S;
  /** Problems with `value`; empty when it conforms. */
  issues(value: unknown): FieldIssue[];
  /** Returns the value typed, or throws ClimatikError(code) listing every problem. */
  parse(value: unknown, code: ErrorCode, what: string): Static<S>;
};

export function validator<S extends TSchema>(schema: S): Validator<S> {
  const compiled = Compile(schema);
  return {
    schema,
    issues(value) {
      if (compiled.Check(value)) return [];
      return collectIssues(compiled.Errors(value), value);
    },
    parse(value, code, what) {
      if (compiled.Check(value)) return value as Static<S>;
      const issues = collectIssues(compiled.Errors(value), value);
      throw new ClimatikError(code, `${what} is invalid: ${issues.length} problem(s)`, { issues });
    },
  };
}

/** Fills schema defaults into a copy of `value` (for config loading), leaving unknown keys for the check. */
export function withDefaults<S extends TSchema>(schema: S, value: unknown): unknown {
  return Value.Default(schema, Value.Clone(value));
}

interface RawError {
  instancePath: string;
  message: string;
  keyword: string;
  params: unknown;
}

function collectIssues(errors: Iterable<RawError>, root: unknown): FieldIssue[] {
  const seen = new Set<string>();
  const issues: FieldIssue[] = [];
  for (const e of errors) {
    // additionalProperties is reported twice (per key and per object); keep the per-key one.
    if (e.keyword === 'boolean' && e.message === 'schema is false') {
      pushOnce(issues, seen, { path: e.instancePath, message: 'unknown field', value: valueAt(root, e.instancePath) });
      continue;
    }
    if (e.keyword === 'additionalProperties') continue;
    pushOnce(issues, seen, { path: e.instancePath, message: e.message, value: valueAt(root, e.instancePath) });
  }
  return issues;
}

function pushOnce(issues: FieldIssue[], seen: Set<string>, issue: FieldIssue): void {
  const key = `${issue.path}\u0000${issue.message}`;
  if (seen.has(key)) return;
  seen.add(key);
  issues.push(issue);
}

/** Reads the value at a JSON pointer, for error messages. */
export function valueAt(root: unknown, pointer: string): unknown {
  if (pointer === '') return root;
  let cur: unknown = root;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}
