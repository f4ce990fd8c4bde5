// Holds the last good topology. `apply(text)` parses and validates an edit: a valid one is swapped
// in, an invalid one is rejected with every issue and the previous topology stays. Pure apart from
// notifying listeners; the ConfigMap watcher and the offline file loader both feed it.
import { ClimatikError, isClimatikError, parseDocument, type FieldIssue } from '../common/index.js';
import { parseTopology } from '../rack-model/index.js';
import type { Topology } from '../rack-model/types.js';

export type ApplyResult =
  | { readonly accepted: true; readonly topology: Topology; readonly version: number; readonly changed: boolean }
  | { readonly accepted: false; readonly issues: readonly FieldIssue[]; readonly message: string };

export class TopologyStore {
  private topology: Topology | undefined;
  private lastText: string | undefined;
  private versionCounter = 0;
  private readonly listeners: ((t: Topology) => void)[] = [];

  current(): Topology | undefined {
    return this.topology;
  }

  get version(): number {
    return this.versionCounter;
  }

  onChange(listener: (t: Topology) => void): void {
    this.listeners.push(listener);
  }

  /** Parses YAML/JSON text from `source` (e.g. "configmap climatik/rack-topology"). */
  apply(text: string | undefined, source: string): ApplyResult {
    if (text === undefined || text.trim() === '') {
      return { accepted: false, message: `${source}: no topology document`, issues: [{ path: '', message: 'missing or empty', value: text }] };
    }
    if (this.topology !== undefined && text === this.lastText) {
      return { accepted: true, topology: this.topology, version: this.versionCounter, changed: false };
    }
    let topology: Topology;
    try {
      topology = parseTopology(parseDocument(text, source), source);
    } catch (err) {
      if (!isClimatikError(err)) throw err;
      return { accepted: false, message: err.message, issues: issuesOf(err) };
    }
    this.topology = topology;
    this.lastText = text;
    this.versionCounter++;
    for (const l of this.listeners) l(topology);
    return { accepted: true, topology, version: this.versionCounter, changed: true };
  }

  /** Installs an already-validated topology (offline mode loads the file through rack-model). */
  set(topology: Topology): void {
    this.topology = topology;
    this.lastText = undefined;
    this.versionCounter++;
    for (const l of this.listeners) l(topology);
  }
}

function issuesOf(err: ClimatikError): FieldIssue[] {
  return err.issues.length > 0 ? [...err.issues] : [{ path: '', message: err.message }];
}
