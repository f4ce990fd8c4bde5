// Load traces: the Azure LLM inference trace (`TIMESTAMP,ContextTokens,GeneratedTokens`, local
// wall-clock timestamps with 7 fractional digits) and a plain `timestamp_s,input_tokens,output_tokens`
// CSV. The format is recognised from the header. Every bad cell is reported with its line and
// column; nothing is silently dropped.
import { readFile } from 'node:fs/promises';
import { ClimatikError, type FieldIssue } from '../common/index.js';

/** Requests in arrival order, columnar (the replay touches hundreds of thousands of them). */
export interface Trace {
  readonly source: string;
  readonly format: TraceFormat;
  /** Seconds since the first request. */
  readonly arrivalS: Float64Array;
  readonly inputTokens: Uint32Array;
  readonly outputTokens: Uint32Array;
  /** Time of the last arrival, s (0 for a one-request trace). */
  readonly durationS: number;
}

export type TraceFormat = 'azure-llm' | 'plain';

interface FormatSpec {
  readonly columns: readonly [time: string, input: string, output: string];
  parseTime(text: string): number | undefined;
}

const FORMATS: Record<TraceFormat, FormatSpec> = {
  'azure-llm': { columns: ['TIMESTAMP', 'ContextTokens', 'GeneratedTokens'], parseTime: parseAzureTimestampS },
  plain: { columns: ['timestamp_s', 'input_tokens', 'output_tokens'], parseTime: parseSeconds },
};

const MAX_ISSUES = 20;
const MAX_TOKENS = 10_000_000;

export async function readTraceFile(file: string): Promise<Trace> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    throw new ClimatikError('CLIMATIK_TRACE_INVALID', `cannot read trace ${file}: ${detail}`, { cause });
  }
  return parseTrace(text, file);
}

export function parseTrace(text: string, source: string): Trace {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const header = (lines[0] ?? '').split(',').map((c) => c.trim());
  const found = detectFormat(header);
  if (found === undefined) {
    const expected = Object.values(FORMATS).map((f) => f.columns.join(',')).join('" or "');
    throw new ClimatikError('CLIMATIK_TRACE_INVALID', `${source}: unrecognised trace header`, {
      issues: [{ path: `${source}:1`, message: `expected a header "${expected}"`, value: lines[0] ?? '' }],
    });
  }
  const { format, index } = found;
  const spec = FORMATS[format];
  const issues: FieldIssue[] = [];
  const times: number[] = [];
  const inputs: number[] = [];
  const outputs: number[] = [];
  for (let i = 1; i < lines.length && issues.length < MAX_ISSUES; i += 1) {
    const line = lines[i] as string;
    if (line.trim() === '') continue;
    const cells = line.split(',');
    const where = (col: number): string => `${source}:${i + 1}:${col + 1}`;
    if (cells.length !== header.length) {
      issues.push({ path: `${source}:${i + 1}`, message: `expected ${header.length} columns, found ${cells.length}`, value: line });
      continue;
    }
    const [ti, ii, oi] = index;
    const timeText = (cells[ti] ?? '').trim();
    const t = spec.parseTime(timeText);
    if (t === undefined) issues.push({ path: where(ti), message: `${spec.columns[0]} is not a valid time`, value: timeText });
    const inp = parseTokens(cells[ii], `${spec.columns[1]}`, where(ii), issues);
    const out = parseTokens(cells[oi], `${spec.columns[2]}`, where(oi), issues);
    if (t === undefined || inp === undefined || out === undefined) continue;
    times.push(t);
    inputs.push(inp);
    outputs.push(out);
  }
  if (issues.length > 0) {
    const more = issues.length >= MAX_ISSUES ? ` (first ${MAX_ISSUES} shown)` : '';
    throw new ClimatikError('CLIMATIK_TRACE_INVALID', `${source}: ${issues.length} bad cell(s)${more}`, { issues });
  }
  if (times.length === 0) {
    throw new ClimatikError('CLIMATIK_TRACE_INVALID', `${source}: the trace has no requests`, {
      issues: [{ path: `${source}:2`, message: 'expected at least one request after the header' }],
    });
  }
  return buildTrace(source, format, times, inputs, outputs);
}

/** Sorts by arrival (stable) and rebases time so the first request arrives at 0 s. */
export function buildTrace(source: string, format: TraceFormat, times: number[], inputs: number[], outputs: number[]): Trace {
  const order = times.map((_, i) => i).sort((a, b) => (times[a] as number) - (times[b] as number) || a - b);
  const t0 = times[order[0] as number] as number;
  const arrivalS = new Float64Array(order.length);
  const inputTokens = new Uint32Array(order.length);
  const outputTokens = new Uint32Array(order.length);
  order.forEach((src, dst) => {
    arrivalS[dst] = (times[src] as number) - t0;
    inputTokens[dst] = inputs[src] as number;
    outputTokens[dst] = outputs[src] as number;
  });
  return { source, format, arrivalS, inputTokens, outputTokens, durationS: arrivalS[arrivalS.length - 1] as number };
}

function detectFormat(header: readonly string[]): { format: TraceFormat; index: [number, number, number] } | undefined {
  for (const [format, spec] of Object.entries(FORMATS) as [TraceFormat, FormatSpec][]) {
    const idx = spec.columns.map((c) => header.indexOf(c));
    if (idx.every((i) => i >= 0)) return { format, index: idx as [number, number, number] };
  }
  return undefined;
}

function parseTokens(cell: string | undefined, column: string, path: string, issues: FieldIssue[]): number | undefined {
  const text = (cell ?? '').trim();
  const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(n) || n > MAX_TOKENS) {
    issues.push({ path, message: `${column} must be a whole number of tokens (0..${MAX_TOKENS})`, value: text });
    return undefined;
  }
  return n;
}

function parseSeconds(text: string): number | undefined {
  if (!/^[+]?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

const AZURE_TIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$/;

/**
 * Azure's `2023-11-16 18:15:46.6805900`: local wall clock, no zone. Read as if UTC: only differences
 * matter, and a trace spanning a daylight-saving change would be off by an hour at that instant.
 * Seconds since the epoch, with the fraction kept (Date would round to milliseconds).
 */
export function parseAzureTimestampS(text: string): number | undefined {
  const m = AZURE_TIME.exec(text);
  if (m === null) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return undefined;
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  if (new Date(ms).getUTCDate() !== d) return undefined; // 2023-02-30 and friends
  const fraction = m[7] === undefined ? 0 : Number(`0.${m[7]}`);
  return ms / 1000 + fraction;
}
