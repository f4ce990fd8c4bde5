// POST /slack/actions: Slack's interactivity endpoint for the Approve / Reject buttons. The body is
// `application/x-www-form-urlencoded` with one field `payload=<JSON>`. The signature covers the raw
// body, so this plugin keeps it as a string and only parses it after the signature checks out:
// nothing reaches `approve`/`reject` without a valid, fresh signature.
import Fastify, { type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import Type, { type Static } from 'typebox';
import { isClimatikError, validator, type Clock, type Logger } from '../../common/index.js';
import { APPROVE_ACTION_ID, REJECT_ACTION_ID } from './slack-message.js';
import { verifySlackRequest } from './slack-verify.js';

export interface SlackUser {
  readonly id: string;
  readonly name: string;
}

export interface ApprovalHandler {
  approve(recommendationId: string, user: SlackUser): Promise<void>;
  reject(recommendationId: string, user: SlackUser): Promise<void>;
}

export interface SlackActionsOptions {
  readonly signingSecret: string;
  readonly handler: ApprovalHandler;
  readonly clock: Clock;
  readonly logger: Logger;
}

// Slack sends many more fields; only these are read, the rest are allowed through.
const InteractivePayloadSchema = Type.Object({
  type: Type.Literal('block_actions'),
  user: Type.Object({ id: Type.String({ minLength: 1 }), username: Type.Optional(Type.String()), name: Type.Optional(Type.String()) }),
  actions: Type.Array(Type.Object({ action_id: Type.String(), value: Type.String({ minLength: 1 }) }), { minItems: 1 }),
});
type InteractivePayload = Static<typeof InteractivePayloadSchema>;
const payloadValidator = validator(InteractivePayloadSchema);

const header = (v: string | string[] | undefined): string | undefined => (typeof v === 'string' ? v : undefined);

export const slackActionsRoutes: FastifyPluginAsync<SlackActionsOptions> = async (app, opts) => {
  // Encapsulated in this plugin: the raw form body as a string, for the signature.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_req, body, done) => done(null, body));

  app.post('/slack/actions', async (request, reply) => {
    const rawBody = typeof request.body === 'string' ? request.body : '';
    const verdict = verifySlackRequest({
      signingSecret: opts.signingSecret,
      timestampHeader: header(request.headers['x-slack-request-timestamp']),
      signatureHeader: header(request.headers['x-slack-signature']),
      rawBody,
      nowMs: opts.clock.nowMs(),
    });
    if (!verdict.ok) {
      opts.logger.warn({ reason: verdict.reason, ip: request.ip }, 'refused unsigned or stale Slack request');
      return reply.code(401).send({ error: 'invalid Slack signature' });
    }
    const payload = parsePayload(rawBody);
    if ('issues' in payload) return reply.code(400).send({ error: 'CLIMATIK_REQUEST_INVALID', issues: payload.issues });
    const user: SlackUser = { id: payload.user.id, name: payload.user.username ?? payload.user.name ?? payload.user.id };
    const decisions = payload.actions.filter((a) => a.action_id === APPROVE_ACTION_ID || a.action_id === REJECT_ACTION_ID);
    if (decisions.length === 0) {
      return reply.code(400).send({ error: 'CLIMATIK_REQUEST_INVALID', issues: [{ path: '/payload/actions', message: 'no approve/reject action', value: payload.actions.map((a) => a.action_id) }] });
    }
    try {
      for (const a of decisions) {
        if (a.action_id === APPROVE_ACTION_ID) await opts.handler.approve(a.value, user);
        else await opts.handler.reject(a.value, user);
        opts.logger.info({ recommendation: a.value, user, decision: a.action_id }, 'Slack decision recorded');
      }
    } catch (err) {
      // An API failure may pass (retry the button); every other refusal is about the request itself.
      if (isClimatikError(err)) return reply.code(err.code === 'CLIMATIK_KUBE_API' ? 503 : 400).send({ error: err.code, message: err.message, issues: err.issues });
      throw err;
    }
    return reply.code(200).send({ ok: true });
  });
};

type Parsed = InteractivePayload | { issues: { path: string; message: string; value?: unknown }[] };

function parsePayload(rawBody: string): Parsed {
  const field = new URLSearchParams(rawBody).get('payload');
  if (field === null) return { issues: [{ path: '/payload', message: 'form field "payload" is missing', value: rawBody.slice(0, 100) }] };
  let json: unknown;
  try {
    json = JSON.parse(field);
  } catch {
    return { issues: [{ path: '/payload', message: 'not JSON', value: field.slice(0, 100) }] };
  }
  const issues = payloadValidator.issues(json);
  if (issues.length > 0) return { issues: issues.map((i) => ({ ...i, path: `/payload${i.path}` })) };
  return json as InteractivePayload;
}

/** App factory for main: a fastify instance serving only POST /slack/actions (tests use inject). */
export async function buildSlackActionsApp(opts: SlackActionsOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  await app.register(slackActionsRoutes, opts);
  return app;
}
