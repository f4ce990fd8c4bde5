// A small typed client for the Prometheus HTTP API: POST form-encoded /api/v1/query and
// /api/v1/query_range (long PromQL fits in a body, not a URL), responses checked against TypeBox
// schemas, sample values parsed from their string form ("NaN", "+Inf", "-Inf" included, then left
// to the adapters to reject). Every failure becomes a ClimatikError with its cause:
//   unreachable, timeout, HTTP 5xx, errorType timeout/canceled/unavailable/internal → CLIMATIK_TELEMETRY_UNAVAILABLE
//   errorType bad_data/execution, malformed JSON or an unexpected envelope         → CLIMATIK_TELEMETRY_BAD_DATA
import Type, { type Static } from 'typebox';
import { ClimatikError, validator, type ErrorCode } from '../common/index.js';

const SamplePair = Type.Tuple([Type.Number(), Type.String()]);
const Labels = Type.Record(Type.String(), Type.String());

const ResponseSchema = Type.Union([
  Type.Object({
    status: Type.Literal('success'),
    data: Type.Union([
      Type.Object({ resultType: Type.Literal('vector'), result: Type.Array(Type.Object({ metric: Labels, value: SamplePair })) }),
      Type.Object({ resultType: Type.Literal('matrix'), result: Type.Array(Type.Object({ metric: Labels, values: Type.Array(SamplePair) })) }),
      Type.Object({ resultType: Type.Literal('scalar'), result: SamplePair }),
      Type.Object({ resultType: Type.Literal('string'), result: SamplePair }),
    ]),
    warnings: Type.Optional(Type.Array(Type.String())),
  }),
  Type.Object({
    status: Type.Literal('error'),
    errorType: Type.String(),
    error: Type.String(),
  }),
]);
type Response = Static<typeof ResponseSchema>;
const checkResponse = validator(ResponseSchema);

export interface InstantSample {
  readonly metric: Readonly<Record<string, string>>;
  readonly timeMs: number;
  readonly value: number;
}

export interface RangeSeries {
  readonly metric: Readonly<Record<string, string>>;
  readonly points: readonly { readonly timeMs: number; readonly value: number }[];
}

export interface PrometheusApiOptions {
  /** e.g. `http://prometheus.monitoring:9090` (a path prefix is kept). */
  readonly baseUrl: string;
  readonly timeoutMs: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** Injected for unit tests; defaults to the global fetch. */
  readonly fetch?: typeof fetch;
}

/** A Prometheus API failure, with the API's `errorType` when it sent one. */
export class PrometheusError extends ClimatikError {
  constructor(
    code: ErrorCode,
    message: string,
    readonly errorType: string | undefined,
    readonly query: string,
    cause?: unknown,
  ) {
    super(code, message, { cause, issues: [{ path: 'query', message: errorType ?? 'request failed', value: query }] });
  }
}

const UNAVAILABLE_TYPES = new Set(['timeout', 'canceled', 'unavailable', 'internal']);

/** Parses a Prometheus sample value string; Go's float formatting spells infinities "+Inf"/"-Inf". */
export function parseSampleValue(text: string): number {
  if (text === '+Inf' || text === 'Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  if (text.toLowerCase() === 'nan') return Number.NaN;
  const n = Number(text);
  return text.trim() === '' ? Number.NaN : n;
}

export class PrometheusApi {
  private readonly base: string;
  private readonly doFetch: typeof fetch;

  constructor(private readonly opts: PrometheusApiOptions) {
    this.base = opts.baseUrl.replace(/\/+$/, '');
    this.doFetch = opts.fetch ?? fetch;
  }

  get baseUrl(): string {
    return this.base;
  }

  /** Instant query at `timeMs` (Prometheus' own "now" when omitted). Scalars come back as one unlabelled sample. */
  async query(promql: string, timeMs?: number): Promise<InstantSample[]> {
    const form: Record<string, string> = { query: promql };
    if (timeMs !== undefined) form.time = (timeMs / 1000).toFixed(3);
    const res = await this.post('/api/v1/query', form, promql);
    const data = res.data;
    if (data.resultType === 'vector') {
      return data.result.map((s) => ({ metric: s.metric, timeMs: Math.round(s.value[0] * 1000), value: parseSampleValue(s.value[1]) }));
    }
    if (data.resultType === 'scalar') {
      return [{ metric: {}, timeMs: Math.round(data.result[0] * 1000), value: parseSampleValue(data.result[1]) }];
    }
    if (data.resultType === 'matrix') {
      // A range selector evaluated as an instant query: the last raw sample and its real time.
      return data.result.flatMap((s) => {
        const last = s.values.at(-1);
        return last === undefined ? [] : [{ metric: s.metric, timeMs: Math.round(last[0] * 1000), value: parseSampleValue(last[1]) }];
      });
    }
    throw new PrometheusError('CLIMATIK_TELEMETRY_BAD_DATA', `query returned a ${data.resultType}, expected a vector`, undefined, promql);
  }

  async queryRange(promql: string, startMs: number, endMs: number, stepMs: number): Promise<RangeSeries[]> {
    const form = {
      query: promql,
      start: (startMs / 1000).toFixed(3),
      end: (endMs / 1000).toFixed(3),
      step: `${Math.max(1, Math.round(stepMs)) / 1000}`,
    };
    const res = await this.post('/api/v1/query_range', form, promql);
    if (res.data.resultType !== 'matrix') {
      throw new PrometheusError('CLIMATIK_TELEMETRY_BAD_DATA', `query_range returned a ${res.data.resultType}, expected a matrix`, undefined, promql);
    }
    return res.data.result.map((s) => ({
      metric: s.metric,
      points: s.values.map(([t, v]) => ({ timeMs: Math.round(t * 1000), value: parseSampleValue(v) })),
    }));
  }

  private async post(path: string, form: Record<string, string>, promql: string): Promise<Extract<Response, { status: 'success' }>> {
    const url = `${this.base}${path}`;
    let httpStatus: number;
    let text: string;
    try {
      const res = await this.doFetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', ...this.opts.headers },
        body: new URLSearchParams(form).toString(),
        signal: AbortSignal.timeout(this.opts.timeoutMs),
      });
      httpStatus = res.status;
      text = await res.text();
    } catch (cause) {
      const timedOut = cause instanceof Error && (cause.name === 'TimeoutError' || cause.name === 'AbortError');
      const why = timedOut ? `timed out after ${this.opts.timeoutMs} ms` : `unreachable (${describeCause(cause)})`;
      throw new PrometheusError('CLIMATIK_TELEMETRY_UNAVAILABLE', `prometheus ${url}: ${why}`, undefined, promql, cause);
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (cause) {
      const code: ErrorCode = httpStatus >= 500 ? 'CLIMATIK_TELEMETRY_UNAVAILABLE' : 'CLIMATIK_TELEMETRY_BAD_DATA';
      throw new PrometheusError(code, `prometheus ${url}: HTTP ${httpStatus} with a body that is not JSON: ${text.slice(0, 120)}`, undefined, promql, cause);
    }
    const issues = checkResponse.issues(body);
    if (issues.length > 0) {
      const code: ErrorCode = httpStatus >= 500 ? 'CLIMATIK_TELEMETRY_UNAVAILABLE' : 'CLIMATIK_TELEMETRY_BAD_DATA';
      const err = new ClimatikError(code, `prometheus ${url}: unexpected response (HTTP ${httpStatus})`, { issues });
      throw new PrometheusError(code, err.message, undefined, promql, err);
    }
    const res = body as Response;
    if (res.status === 'error') {
      const code: ErrorCode = UNAVAILABLE_TYPES.has(res.errorType) || httpStatus >= 500 ? 'CLIMATIK_TELEMETRY_UNAVAILABLE' : 'CLIMATIK_TELEMETRY_BAD_DATA';
      throw new PrometheusError(code, `prometheus ${url}: ${res.errorType}: ${res.error}`, res.errorType, promql);
    }
    return res;
  }
}

function describeCause(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  const inner = cause.cause instanceof Error ? `: ${cause.cause.message}` : '';
  return `${cause.message}${inner}`;
}
