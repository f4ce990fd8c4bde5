// Config loading: read YAML or JSON, fill defaults from the schema, validate once reporting every
// problem with its path, then freeze. Components declare their own schema; this is the one loader.
import { readFile } from 'node:fs/promises';
import type { Static, TSchema } from 'typebox';
import { parse as parseYaml } from 'yaml';
import { ClimatikError } from './errors.js';
import { deepFreeze } from './freeze.js';
import { validator, withDefaults } from './schema.js';

/** Parses YAML (a superset of JSON) text; syntax errors become CLIMATIK_CONFIG_UNREADABLE with the line. */
export function parseDocument(text: string, source: string): unknown {
  try {
    return parseYaml(text, { prettyErrors: true, uniqueKeys: true });
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    throw new ClimatikError('CLIMATIK_CONFIG_UNREADABLE', `${source}: ${detail}`, { cause });
  }
}

export async function readDocument(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    throw new ClimatikError('CLIMATIK_CONFIG_UNREADABLE', `cannot read ${file}: ${detail}`, { cause });
  }
  return parseDocument(text, file);
}

/** Defaults, validation (all errors, with paths), freeze. `raw` is the parsed document. */
export function buildConfig<S extends TSchema>(schema: S, raw: unknown, source: string): Readonly<Static<S>> {
  const filled = withDefaults(schema, raw ?? {});
  const value = validator(schema).parse(filled, 'CLIMATIK_CONFIG_INVALID', `configuration ${source}`);
  return deepFreeze(value);
}

export async function loadConfig<S extends TSchema>(schema: S, file: string): Promise<Readonly<Static<S>>> {
  return buildConfig(schema, await readDocument(file), file);
}
