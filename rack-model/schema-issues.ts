// Schema problems in the words an operator needs: TypeBox says "must have required properties x"
// at the parent object and "must be number" for NaN/Infinity (which YAML can produce as .nan/.inf);
// we point at the missing field itself and say "finite", so every line names the field to fix.
import type { TSchema } from 'typebox';
import { validator, type FieldIssue } from '../common/index.js';

const REQUIRED = /^must have required propert(?:y|ies) (.+)$/;

export function schemaIssues(schema: TSchema, doc: unknown): FieldIssue[] {
  const out: FieldIssue[] = [];
  for (const issue of validator(schema).issues(doc)) {
    const required = REQUIRED.exec(issue.message);
    if (required?.[1] !== undefined) {
      for (const name of required[1].split(/,\s*/)) {
        out.push({ path: `${issue.path}/${name}`, message: 'required field is missing', value: undefined });
      }
      continue;
    }
    if (typeof issue.value === 'number' && !Number.isFinite(issue.value)) {
      // JSON renders NaN and Infinity as null; keep the text so the message shows what was written.
      out.push({ path: issue.path, message: 'must be a finite number', value: String(issue.value) });
      continue;
    }
    out.push(issue);
  }
  return out;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
