import t, { type Test } from 'tap';
import { ClimatikError, ManualClock, silentLogger } from '../../common/index.js';
import { buildSlackActionsApp, type SlackUser } from './slack-actions.js';
import { APPROVE_ACTION_ID, REJECT_ACTION_ID, recommendationMessage } from './slack-message.js';
import { SlackWebhookSink } from './slack-sink.js';
import { slackSignature, verifySlackRequest } from './slack-verify.js';
import { hotRackRecommendation } from './testing/fixtures.js';
import { startHttpReceiver } from './testing/http-receiver.js';

const SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const NOW_MS = Date.UTC(2026, 10, 29, 10, 30, 0);
const NOW_S = String(NOW_MS / 1000);

t.test('webhook: one Block Kit message per recommendation, posted to a real local receiver', async (t) => {
  const receiver = await startHttpReceiver();
  t.teardown(() => receiver.close());
  const rec = hotRackRecommendation();
  await new SlackWebhookSink({ webhookUrl: receiver.url }).publish(rec);

  t.equal(receiver.received.length, 1);
  const req = receiver.received[0];
  t.equal(req?.method, 'POST');
  t.equal(req?.url, '/services/T000/B000/XXXX');
  t.match(req?.headers['content-type'], /application\/json/);
  const msg = JSON.parse(req?.body ?? '{}') as { text: string; blocks: { type: string; fields?: { text: string }[]; text?: { text: string }; elements?: { action_id: string; value: string }[] }[] };
  t.match(msg.text, /Rack rack-a is over its power cap \(policy llm\/rack-a-cap\)/);
  const fields = msg.blocks.flatMap((b) => b.fields ?? []).map((f) => f.text);
  t.same(fields, ['*Measured*\n9600 W', '*Forecast*\n9850 W', '*Cap*\n9000 W', '*State*\nOverCap']);
  const texts = msg.blocks.map((b) => b.text?.text ?? '').join('\n');
  t.match(texts, /GPU power limit 275 W on node gpu-node-1/);
  t.match(texts, /maxReplicaCount 6 on ScaledObject llm\/llama-70b/);
  t.match(texts, /Expected effect\*\n≈ −900 W/);
  const buttons = msg.blocks.find((b) => b.type === 'actions')?.elements ?? [];
  t.same(
    buttons.map((b) => [b.action_id, b.value]),
    [
      [APPROVE_ACTION_ID, rec.id],
      [REJECT_ACTION_ID, rec.id],
    ],
  );
});

t.test('webhook: recovery posts a short message; a 5xx answer rejects', async (t) => {
  const receiver = await startHttpReceiver();
  t.teardown(() => receiver.close());
  const sink = new SlackWebhookSink({ webhookUrl: receiver.url });
  await sink.resolve('llm/rack-a-cap/rack-a');
  t.match(JSON.parse(receiver.received[0]?.body ?? '{}'), { text: /Recovered: llm\/rack-a-cap\/rack-a/ });
  receiver.statuses.push(503);
  await t.rejects(sink.publish(hotRackRecommendation()), /answered 503/);
});

const body = 'payload=%7B%22type%22%3A%22block_actions%22%7D';
const cases: { name: string; ts: string | undefined; sig: (ts: string) => string | undefined; raw?: string; ok: boolean; reason?: RegExp }[] = [
  { name: 'genuine request', ts: NOW_S, sig: (ts) => slackSignature(SECRET, ts, body), ok: true },
  { name: 'signed 4 minutes ago (clock skew)', ts: String(NOW_MS / 1000 - 240), sig: (ts) => slackSignature(SECRET, ts, body), ok: true },
  { name: 'replayed: signed 6 minutes ago', ts: String(NOW_MS / 1000 - 360), sig: (ts) => slackSignature(SECRET, ts, body), ok: false, reason: /5 minutes/ },
  { name: 'timestamp 6 minutes in the future', ts: String(NOW_MS / 1000 + 360), sig: (ts) => slackSignature(SECRET, ts, body), ok: false, reason: /5 minutes/ },
  { name: 'forged with another secret', ts: NOW_S, sig: (ts) => slackSignature('not-the-secret', ts, body), ok: false, reason: /mismatch/ },
  { name: 'body tampered after signing', ts: NOW_S, sig: (ts) => slackSignature(SECRET, ts, body), raw: body.replace('block', 'black'), ok: false, reason: /mismatch/ },
  { name: 'timestamp swapped after signing', ts: String(NOW_MS / 1000 - 1), sig: () => slackSignature(SECRET, NOW_S, body), ok: false, reason: /mismatch/ },
  { name: 'truncated signature', ts: NOW_S, sig: (ts) => slackSignature(SECRET, ts, body).slice(0, 20), ok: false, reason: /mismatch/ },
  { name: 'v1 signature', ts: NOW_S, sig: (ts) => slackSignature(SECRET, ts, body).replace('v0=', 'v1='), ok: false, reason: /non-v0/ },
  { name: 'no signature header', ts: NOW_S, sig: () => undefined, ok: false, reason: /missing/ },
  { name: 'no timestamp header', ts: undefined, sig: () => slackSignature(SECRET, NOW_S, body), ok: false, reason: /Timestamp/ },
  { name: 'non-numeric timestamp', ts: '1e9', sig: (ts) => slackSignature(SECRET, ts, body), ok: false, reason: /Timestamp/ },
];

t.test('verifySlackRequest', async (t) => {
  for (const c of cases) {
    const result = verifySlackRequest({ signingSecret: SECRET, timestampHeader: c.ts, signatureHeader: c.sig(c.ts ?? NOW_S), rawBody: c.raw ?? body, nowMs: NOW_MS });
    t.equal(result.ok, c.ok, c.name);
    if (!result.ok && c.reason) t.match(result.reason, c.reason, `${c.name}: reason`);
  }
  t.match(verifySlackRequest({ signingSecret: '', timestampHeader: NOW_S, signatureHeader: slackSignature('', NOW_S, body), rawBody: body, nowMs: NOW_MS }), { ok: false, reason: /no signing secret/ });
  // Slack's documented example (api.slack.com/authentication/verifying-requests-from-slack).
  const slackBody =
    'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
  t.equal(slackSignature(SECRET, '1531420618', slackBody), 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503', "Slack's published test vector");
});

interface Recorded {
  decision: 'approve' | 'reject';
  id: string;
  user: SlackUser;
}

async function actionsApp(t: Test, failWith?: Error) {
  const recorded: Recorded[] = [];
  const app = await buildSlackActionsApp({
    signingSecret: SECRET,
    clock: new ManualClock(NOW_MS),
    logger: silentLogger(),
    handler: {
      approve: async (id, user) => {
        if (failWith) throw failWith;
        recorded.push({ decision: 'approve', id, user });
      },
      reject: async (id, user) => {
        recorded.push({ decision: 'reject', id, user });
      },
    },
  });
  t.teardown(() => app.close());
  return { app, recorded };
}

function interactive(actionId: string, value = 'llm/rack-a-cap/rack-a/1764411600000'): string {
  const payload = { type: 'block_actions', user: { id: 'U123', username: 'ops-alice', team_id: 'T1' }, actions: [{ action_id: actionId, block_id: 'climatik_decision', value, type: 'button' }], response_url: 'https://hooks.slack.com/actions/x' };
  return `payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

function signedHeaders(raw: string, ts = NOW_S, secret = SECRET) {
  return { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': ts, 'x-slack-signature': slackSignature(secret, ts, raw) };
}

t.test('POST /slack/actions', async (t) => {
  t.test('signed Approve calls approve with the recommendation id and user', async (t) => {
    const { app, recorded } = await actionsApp(t);
    const raw = interactive(APPROVE_ACTION_ID);
    const res = await app.inject({ method: 'POST', url: '/slack/actions', headers: signedHeaders(raw), payload: raw });
    t.equal(res.statusCode, 200);
    t.same(recorded, [{ decision: 'approve', id: 'llm/rack-a-cap/rack-a/1764411600000', user: { id: 'U123', name: 'ops-alice' } }]);
  });

  t.test('signed Reject calls reject', async (t) => {
    const { app, recorded } = await actionsApp(t);
    const raw = interactive(REJECT_ACTION_ID);
    const res = await app.inject({ method: 'POST', url: '/slack/actions', headers: signedHeaders(raw), payload: raw });
    t.equal(res.statusCode, 200);
    t.same(recorded.map((r) => r.decision), ['reject']);
  });

  const refused: { name: string; headers: (raw: string) => Record<string, string>; tamper?: (raw: string) => string }[] = [
    { name: 'forged (wrong secret)', headers: (raw) => signedHeaders(raw, NOW_S, 'attacker-guess') },
    { name: 'replayed (signed 10 minutes ago)', headers: (raw) => signedHeaders(raw, String(NOW_MS / 1000 - 600)) },
    { name: 'body tampered (reject → approve after signing)', headers: (raw) => signedHeaders(raw), tamper: (raw) => raw.replace(REJECT_ACTION_ID, APPROVE_ACTION_ID) },
    { name: 'unsigned', headers: () => ({ 'content-type': 'application/x-www-form-urlencoded' }) },
  ];
  for (const c of refused) {
    t.test(`${c.name}: 401 and nothing approved or rejected`, async (t) => {
      const { app, recorded } = await actionsApp(t);
      const raw = interactive(REJECT_ACTION_ID);
      const res = await app.inject({ method: 'POST', url: '/slack/actions', headers: c.headers(raw), payload: c.tamper ? c.tamper(raw) : raw });
      t.equal(res.statusCode, 401);
      t.same(recorded, []);
    });
  }

  const malformed: { name: string; raw: string; path: string }[] = [
    { name: 'no payload field', raw: 'token=x', path: '/payload' },
    { name: 'payload not JSON', raw: 'payload=%7Bnope', path: '/payload' },
    { name: 'payload of another type', raw: `payload=${encodeURIComponent(JSON.stringify({ type: 'view_submission', user: { id: 'U1' }, actions: [] }))}`, path: '/payload/type' },
    { name: 'button without a value', raw: `payload=${encodeURIComponent(JSON.stringify({ type: 'block_actions', user: { id: 'U1' }, actions: [{ action_id: APPROVE_ACTION_ID }] }))}`, path: '/payload/actions/0' },
    { name: 'some other button', raw: interactive('open_dashboard'), path: '/payload/actions' },
  ];
  for (const c of malformed) {
    t.test(`signed but ${c.name}: 400 naming ${c.path}`, async (t) => {
      const { app, recorded } = await actionsApp(t);
      const res = await app.inject({ method: 'POST', url: '/slack/actions', headers: signedHeaders(c.raw), payload: c.raw });
      t.equal(res.statusCode, 400);
      const json = res.json<{ issues: { path: string }[] }>();
      t.ok(json.issues.some((i) => i.path.startsWith(c.path)), JSON.stringify(json.issues));
      t.same(recorded, []);
    });
  }

  t.test('approve refusing an unknown recommendation (ClimatikError): 400 with its code', async (t) => {
    const { app } = await actionsApp(t, new ClimatikError('CLIMATIK_REQUEST_INVALID', 'unknown or expired recommendation', { issues: [{ path: '/actions/0/value', message: 'unknown', value: 'x' }] }));
    const raw = interactive(APPROVE_ACTION_ID, 'x');
    const res = await app.inject({ method: 'POST', url: '/slack/actions', headers: signedHeaders(raw), payload: raw });
    t.equal(res.statusCode, 400);
    t.match(res.json(), { error: 'CLIMATIK_REQUEST_INVALID', message: /unknown or expired/ });
  });
});

t.test('message: a give-back proposal says so; no actions means no buttons', async (t) => {
  const giveBack = recommendationMessage(
    hotRackRecommendation({
      rack: { id: 'rack-a', state: 'UnderCap', capW: 9000, measuredW: 6000, excessW: -3000 },
      actions: [{ kind: 'RestoreMaxReplicas', namespace: 'llm', name: 'llama-70b', rackId: 'rack-a', maxReplicaCount: 8, reason: 'back under' }],
    }),
  );
  t.match(giveBack.text, /Rack rack-a is back under its power cap: give capacity back\? \(policy llm\/rack-a-cap\)/);
  t.ok(giveBack.blocks.some((b) => (b as { type: string }).type === 'actions'), 'approvable');
  const nothing = recommendationMessage(hotRackRecommendation({ actions: [] }));
  t.notOk(nothing.blocks.some((b) => (b as { type: string }).type === 'actions'), 'nothing to approve');
  t.match(JSON.stringify(nothing.blocks), /no action possible/);
});

t.test('message: in Enforce the actions are reported as being applied, with no buttons', async (t) => {
  const hot = recommendationMessage(hotRackRecommendation({ mode: 'Enforce' }));
  t.match(hot.text, /Rack rack-a is (forecast )?over its power cap: capping \(policy llm\/rack-a-cap\)/);
  t.match(JSON.stringify(hot.blocks), /Actions being applied \(Enforce\)/);
  t.notOk(hot.blocks.some((b) => (b as { type: string }).type === 'actions'), 'no Approve / Reject in Enforce');
  const recommend = recommendationMessage(hotRackRecommendation({ mode: 'Recommend' }));
  t.ok(recommend.blocks.some((b) => (b as { type: string }).type === 'actions'), 'Recommend keeps its buttons');
  const giveBack = recommendationMessage(
    hotRackRecommendation({
      mode: 'Enforce',
      rack: { id: 'rack-a', state: 'UnderCap', capW: 9000, measuredW: 6000, excessW: -3000 },
      actions: [{ kind: 'RestoreMaxReplicas', namespace: 'llm', name: 'llama-70b', rackId: 'rack-a', maxReplicaCount: 8, reason: 'back under' }],
    }),
  );
  t.match(giveBack.text, /back under its power cap: giving capacity back/);
});
