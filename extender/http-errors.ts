// Every input problem becomes HTTP 400 with `{error, code, issues:[{path, message, value}]}`:
// schema failures (one issue per field), unparsable JSON, oversized or empty bodies, wrong content
// type. Only our own bugs are 5xx. kube-scheduler treats any non-200 as an error, so this changes
// nothing for it; the detail is for the operator reading logs.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { valueAt } from '../common/index.js';
import type { BadRequest } from './wire.js';

type SchemaError = NonNullable<FastifyError['validation']>[number];

const MAX_ISSUES = 20;
export const REQUEST_INVALID = 'CLIMATIK_REQUEST_INVALID';

/** fastify's schemaErrorFormatter: a readable one-line message; the handler adds the issues. */
export function formatSchemaErrors(errors: SchemaError[], dataVar: string): Error {
  const first = errors[0];
  const where = first === undefined ? dataVar : `${dataVar}${pathOf(first)}`;
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
  return new Error(`${where} ${first?.message ?? 'is invalid'}${more}`);
}

export function installErrorHandling(app: FastifyInstance, onBadRequest: (verb: string, code: string) => void): void {
  app.setErrorHandler((err: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const status = err.statusCode ?? 500;
    const verb = request.routeOptions.url ?? 'unknown';
    if (status >= 500) {
      request.log.error({ err }, 'extender bug: unhandled error');
      return reply.status(500).send({ error: 'internal error', code: 'CLIMATIK_INTERNAL', issues: [] });
    }
    const body: BadRequest =
      err.validation !== undefined
        ? { error: err.message, code: REQUEST_INVALID, issues: validationIssues(err.validation, request.body) }
        : { error: clientErrorMessage(err), code: REQUEST_INVALID, issues: [{ path: '', message: err.message, value: err.code }] };
    onBadRequest(verb, err.code ?? REQUEST_INVALID);
    request.log.info({ verb, issues: body.issues.slice(0, 3), fastifyCode: err.code }, 'bad extender request');
    return reply.status(400).send(body);
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({ error: `no route ${request.method} ${request.url}`, code: 'CLIMATIK_NOT_FOUND', issues: [] }),
  );
}

function clientErrorMessage(err: FastifyError): string {
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return `request body too large: ${err.message}`;
  if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return `unsupported content type: send application/json`;
  return `malformed request: ${err.message}`;
}

function validationIssues(errors: SchemaError[], body: unknown): BadRequest['issues'] {
  const seen = new Set<string>();
  const issues: BadRequest['issues'] = [];
  // `X | null` fields fail twice more ("must be null", "must match a schema in anyOf"); the branch
  // error that remains says what was expected, so drop the noise when there is something else.
  const noisy = (e: SchemaError): boolean => e.keyword === 'anyOf' || (e.keyword === 'type' && (e.params as { type?: unknown }).type === 'null');
  const useful = errors.filter((e) => !noisy(e));
  for (const e of useful.length > 0 ? useful : errors) {
    const path = pathOf(e);
    const key = `${path}\u0000${e.message ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push({ path, message: e.message ?? 'invalid', value: preview(valueAt(body, path)) });
    if (issues.length >= MAX_ISSUES) break;
  }
  return issues;
}

/** JSON pointer of the offending field; for a missing property, the property itself. */
function pathOf(e: SchemaError): string {
  const params = e.params as { missingProperty?: unknown };
  const base = e.instancePath;
  return typeof params.missingProperty === 'string' ? `${base}/${params.missingProperty}` : base;
}

/** The offending value, small enough for a response: big objects become a description. */
function preview(value: unknown): unknown {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value.length > 200 ? `${value.slice(0, 197)}...` : value;
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return `<array of ${value.length}>`;
  return `<object with ${Object.keys(value).length} keys>`;
}
