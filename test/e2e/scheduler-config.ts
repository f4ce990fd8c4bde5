// Renders scheduler-config/climatik-scheduler.yaml for a test run: the same template deploy/ renders
// with envsubst, plus the few overrides a single-replica e2e needs (leader election off, the
// Nodes-form wire format, ignorable). Overrides are applied to the parsed document, never by text.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument, type Document } from 'yaml';
import { repoRoot } from './cluster.js';

export const schedulerConfigTemplatePath = join(repoRoot, 'scheduler-config', 'climatik-scheduler.yaml');
const PLACEHOLDER = '${CLIMATIK_EXTENDER_URL}';

export interface RenderOptions {
  /** Base URL the scheduler POSTs `<urlPrefix>/<verb>` to, e.g. http://127.0.0.1:40123. */
  readonly extenderUrl: string;
  /** Default: the template's value (true). A single-replica test turns it off. */
  readonly leaderElect?: boolean;
  /** false sends full Node objects instead of names (the other wire form). */
  readonly nodeCacheCapable?: boolean;
  readonly ignorable?: boolean;
  readonly template?: string;
}

export function renderSchedulerConfig(opts: RenderOptions): string {
  const url = new URL(opts.extenderUrl); // throws on a malformed URL, naming it
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`extenderUrl must be http(s), got ${opts.extenderUrl}`);
  const template = opts.template ?? readFileSync(schedulerConfigTemplatePath, 'utf8');
  if (!template.includes(PLACEHOLDER)) throw new Error(`scheduler config template lacks ${PLACEHOLDER}`);
  const doc: Document = parseDocument(template.split(PLACEHOLDER).join(opts.extenderUrl.replace(/\/$/, '')));
  if (doc.errors.length > 0) throw new Error(`scheduler config template: ${doc.errors[0]?.message ?? 'invalid YAML'}`);
  if (opts.leaderElect !== undefined) doc.setIn(['leaderElection', 'leaderElect'], opts.leaderElect);
  if (opts.nodeCacheCapable !== undefined) doc.setIn(['extenders', 0, 'nodeCacheCapable'], opts.nodeCacheCapable);
  if (opts.ignorable !== undefined) doc.setIn(['extenders', 0, 'ignorable'], opts.ignorable);
  return doc.toString();
}
