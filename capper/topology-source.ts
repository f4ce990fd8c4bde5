// The capper's topology, re-read from its file (in a cluster: the mounted ConfigMap, which kubelet
// updates in place by swapping the `..data` symlink). Polling, not fs.watch: inotify watches the
// inode it was given, and the swap replaces the directory behind the symlink, so a watch on the file
// either fires once and goes deaf or never fires, depending on what was watched; a read every
// interval is a few hundred bytes and sees every swap. Validation is the extender's path
// (parseDocument + rack-model's parseTopology); an invalid or unreadable edit is rejected with every
// issue logged, counted and flagged in /metrics, and the last good topology stays in use.
import { readFile } from 'node:fs/promises';
import type { Counter, Gauge } from 'prom-client';
import { ClimatikError, isClimatikError, parseDocument, type Logger } from '../common/index.js';
import { parseTopology } from '../rack-model/index.js';
import type { Topology } from '../rack-model/types.js';

export interface TopologySourceDeps {
  readonly file: string;
  readonly logger: Logger;
  readonly metrics: { readonly topologyReloads: Counter<'result'>; readonly topologyFileValid: Gauge };
  /** How often the file is re-read while started. */
  readonly pollIntervalMs: number;
}

export type ReloadResult = 'applied' | 'unchanged' | 'rejected';

export class TopologySource {
  private topology: Topology;
  /** The text (or read error) last judged, so one bad edit is logged and counted once, not every poll. */
  private lastSeen: string;
  private seenValid = true;
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<unknown> = Promise.resolve();

  private constructor(private readonly deps: TopologySourceDeps, topology: Topology, text: string) {
    this.topology = topology;
    this.lastSeen = text;
    deps.metrics.topologyFileValid.set(1);
  }

  /** The first read must succeed: without a topology the capper cannot judge any rack. */
  static async load(deps: TopologySourceDeps): Promise<TopologySource> {
    const text = await readText(deps.file);
    return new TopologySource(deps, parse(text, deps.file), text);
  }

  /** The topology in use: the last valid content of the file. */
  current(): Topology {
    return this.topology;
  }

  /** Re-reads the file once; never throws (a failure is a rejected reload). */
  async reload(): Promise<ReloadResult> {
    let text: string;
    try {
      text = await readText(this.deps.file);
    } catch (err) {
      return this.reject(`unreadable: ${describe(err)}`, err);
    }
    if (text === this.lastSeen) return this.seenValid ? 'unchanged' : 'rejected';
    let next: Topology;
    try {
      next = parse(text, this.deps.file);
    } catch (err) {
      return this.reject(text, err);
    }
    this.lastSeen = text;
    this.seenValid = true;
    this.topology = next;
    this.deps.metrics.topologyReloads.inc({ result: 'applied' });
    this.deps.metrics.topologyFileValid.set(1);
    this.deps.logger.info({ file: this.deps.file, racks: next.racks.map((r) => r.id) }, 'topology reloaded');
    return 'applied';
  }

  start(): void {
    if (this.timer !== undefined) return;
    const poll = () => {
      this.polling = this.reload().finally(() => {
        if (this.timer !== undefined) this.timer = setTimeout(poll, this.deps.pollIntervalMs);
      });
    };
    this.timer = setTimeout(poll, this.deps.pollIntervalMs);
  }

  async stop(): Promise<void> {
    const timer = this.timer;
    this.timer = undefined;
    if (timer !== undefined) clearTimeout(timer);
    await this.polling;
  }

  private reject(seen: string, err: unknown): ReloadResult {
    if (seen === this.lastSeen) return 'rejected';
    this.lastSeen = seen;
    this.seenValid = false;
    this.deps.metrics.topologyReloads.inc({ result: 'rejected' });
    this.deps.metrics.topologyFileValid.set(0);
    const issues = isClimatikError(err) ? err.issues : [];
    this.deps.logger.warn(
      { file: this.deps.file, err: describe(err), issues, keptRacks: this.topology.racks.map((r) => r.id) },
      'topology edit rejected; keeping the last good topology',
    );
    return 'rejected';
  }
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (cause) {
    throw new ClimatikError('CLIMATIK_CONFIG_UNREADABLE', `cannot read ${file}: ${describe(cause)}`, { cause });
  }
}

function parse(text: string, file: string): Topology {
  return parseTopology(parseDocument(text, file), file);
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
