// Minimal HTTP(S) GET for readiness probes of the control-plane processes, before any client exists.
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface ProbeOptions {
  /** PEM file the server certificate must chain to; without it HTTPS is not verified (see below). */
  readonly caPath?: string;
  readonly token?: string;
  readonly timeoutMs?: number;
}

export interface ProbeResult {
  readonly status: number;
  readonly body: string;
}

export function probe(url: string, opts: ProbeOptions = {}): Promise<ProbeResult> {
  const target = new URL(url);
  const headers: Record<string, string> = {};
  if (opts.token !== undefined) headers.authorization = `Bearer ${opts.token}`;
  return new Promise((resolve, reject) => {
    const onResponse = (res: import('node:http').IncomingMessage): void => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    };
    const req =
      target.protocol === 'https:'
        ? httpsRequest(
            target,
            {
              headers,
              ...(opts.caPath === undefined
                ? // Only for the kube-scheduler's own in-memory self-signed health endpoint on loopback.
                  { rejectUnauthorized: false }
                : { ca: readFileSync(opts.caPath) }),
            },
            onResponse,
          )
        : httpRequest(target, { headers }, onResponse);
    req.setTimeout(opts.timeoutMs ?? 2000, () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/**
 * Sum of the samples of one metric in a Prometheus text exposition (`GET /metrics`) whose labels
 * include every `match` pair; 0 when there is none.
 */
export async function scrapeMetric(metricsUrl: string, name: string, match: Readonly<Record<string, string>> = {}): Promise<number> {
  const text = (await probe(metricsUrl)).body;
  let total = 0;
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)$/.exec(line);
    if (m === null || m[1] !== name) continue;
    const labels = m[2] ?? '';
    if (Object.entries(match).every(([k, v]) => labels.includes(`${k}="${v}"`))) total += Number(m[3]);
  }
  return total;
}
