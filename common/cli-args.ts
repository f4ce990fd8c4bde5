// Shared argument parsing for subcommands: node's util.parseArgs with strict checking, turned into
// CLIMATIK_USAGE errors that name the flag, and helpers for numeric flags.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ClimatikError } from './errors.js';

export type OptionsSpec = NonNullable<ParseArgsConfig['options']>;

export function parseCommandArgs<O extends OptionsSpec>(args: string[], options: O, command: string) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: true });
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    throw new ClimatikError('CLIMATIK_USAGE', `${command}: ${detail}`, { cause });
  }
}

/** Parses a numeric flag; `undefined` stays undefined, anything non-finite is a usage error naming the flag. */
export function numberFlag(value: string | boolean | undefined, flag: string, opts: { min?: number; integer?: boolean } = {}): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
  const bad =
    !Number.isFinite(n) || (opts.min !== undefined && n < opts.min) || (opts.integer === true && !Number.isInteger(n));
  if (bad) {
    const expect = `${opts.integer === true ? 'an integer' : 'a number'}${opts.min !== undefined ? ` >= ${opts.min}` : ''}`;
    throw new ClimatikError('CLIMATIK_USAGE', `--${flag} must be ${expect}`, {
      issues: [{ path: `--${flag}`, message: `expected ${expect}`, value }],
    });
  }
  return n;
}

export function requireFlag<T>(value: T | undefined, flag: string): T {
  if (value === undefined) {
    throw new ClimatikError('CLIMATIK_USAGE', `--${flag} is required`, { issues: [{ path: `--${flag}`, message: 'required' }] });
  }
  return value;
}
