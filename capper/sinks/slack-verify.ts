// Slack request signing (https://api.slack.com/authentication/verifying-requests-from-slack):
// HMAC-SHA256 over `v0:<timestamp>:<raw body>` with the app's signing secret, sent as
// `X-Slack-Signature: v0=<hex>` with `X-Slack-Request-Timestamp` in seconds. A timestamp more than
// five minutes from now (either direction) is refused so a captured request cannot be replayed.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const MAX_SKEW_MS = 5 * 60 * 1000;

export interface SlackRequestToVerify {
  readonly signingSecret: string;
  readonly timestampHeader: string | undefined;
  readonly signatureHeader: string | undefined;
  readonly rawBody: string;
  readonly nowMs: number;
}

export type VerifyResult = { readonly ok: true } | { readonly ok: false; readonly reason: string };

export function slackSignature(signingSecret: string, timestamp: string, rawBody: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`;
}

export function verifySlackRequest(req: SlackRequestToVerify): VerifyResult {
  if (req.signingSecret === '') return { ok: false, reason: 'no signing secret configured' };
  const { timestampHeader: ts, signatureHeader: sig } = req;
  if (ts === undefined || !/^\d{1,12}$/.test(ts)) return { ok: false, reason: `bad X-Slack-Request-Timestamp ${JSON.stringify(ts)}` };
  if (Math.abs(req.nowMs - Number(ts) * 1000) > MAX_SKEW_MS) return { ok: false, reason: `timestamp ${ts} more than 5 minutes from now` };
  if (sig === undefined || !sig.startsWith('v0=')) return { ok: false, reason: 'missing or non-v0 X-Slack-Signature' };
  const expected = Buffer.from(slackSignature(req.signingSecret, ts, req.rawBody), 'utf8');
  const given = Buffer.from(sig, 'utf8');
  // timingSafeEqual throws on different lengths; a length mismatch reveals nothing secret.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'signature mismatch' };
  return { ok: true };
}
