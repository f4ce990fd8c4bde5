// `climatik telemetry snapshot --prometheus URL`: one refresh against a Prometheus, printed — to check
// a site's queries (Kepler generation, DCGM labels, inlet sensor) before pointing the extender at it.
import { ClimatikError, parseCommandArgs, readDocument, requireFlag, silentLogger, systemClock } from '../common/index.js';
import { loadTopologyFile, rackOfNode } from '../rack-model/index.js';
import type { Topology } from '../rack-model/types.js';
import { PrometheusSnapshotSource } from './collector.js';
import { telemetryConfig } from './config.js';
import { effectiveRackPowerW } from './effective-power.js';
import { PrometheusApi } from './prometheus-api.js';
import type { Snapshot } from './snapshot.js';

const USAGE = `usage: climatik telemetry snapshot --prometheus URL [--topology FILE] [--config FILE] [--json]

Reads Kepler, DCGM and inlet sensors once and prints rack, node and pod power with ages and problems.
  --topology FILE  map nodes to racks and show the effective (fallback-applied) rack power
  --config FILE    telemetry config (YAML/JSON: queries, label names, maxAgeMs, ...)
  --json           print the snapshot as JSON
Exit status: 0 read, 1 Prometheus unusable (the problems say why).
`;

export interface CliIo {
  readonly out: { write(text: string): unknown };
}

export async function run(args: string[], io: CliIo = { out: process.stdout }): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    args,
    { prometheus: { type: 'string' }, topology: { type: 'string' }, config: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    'telemetry snapshot',
  );
  if (values.help === true) {
    io.out.write(USAGE);
    return 0;
  }
  if (positionals.length > 0) throw new ClimatikError('CLIMATIK_USAGE', `telemetry snapshot: unexpected argument ${positionals[0]}`);
  const url = requireFlag(values.prometheus, 'prometheus');
  // The file may omit the URL (the flag supplies it); telemetryConfig validates the merged document.
  const doc = values.config === undefined ? {} : await readDocument(values.config);
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new ClimatikError('CLIMATIK_CONFIG_INVALID', `${values.config}: must be a mapping`, { issues: [{ path: '', message: 'must be a mapping', value: doc }] });
  }
  const config = telemetryConfig({ ...doc, prometheusUrl: url }, values.config ?? '--prometheus');
  const topology: Topology | undefined = values.topology === undefined ? undefined : await loadTopologyFile(values.topology);
  const source = new PrometheusSnapshotSource({
    api: new PrometheusApi({ baseUrl: config.prometheusUrl, timeoutMs: config.requestTimeoutMs }),
    config,
    rackOfNode: (node) => (topology === undefined ? undefined : rackOfNode(topology, node)),
    clock: systemClock,
    logger: silentLogger(),
  });
  const snap = await source.refresh();
  if (values.json === true) io.out.write(`${JSON.stringify(snap, null, 2)}\n`);
  else io.out.write(render(snap, topology, config.maxAgeMs));
  return snap.problems.some((p) => p.startsWith('refresh failed')) ? 1 : 0;
}

function render(snap: Snapshot, topology: Topology | undefined, maxAgeMs: number): string {
  const age = (t: number) => `${((snap.takenAtMs - t) / 1000).toFixed(1)} s`;
  const lines = [
    `Kepler: ${snap.keplerGenerations.join(' + ') || 'none'}; ${Object.keys(snap.nodePowerW).length} nodes, ` +
      `${Object.keys(snap.podPowerW).length} pods, ${Object.keys(snap.gpuPowerW).length} GPUs, ${Object.keys(snap.inletC).length} inlet readings`,
  ];
  if (topology !== undefined) {
    const eff = effectiveRackPowerW(snap, topology, snap.takenAtMs, { maxAgeMs });
    lines.push('racks:');
    for (const rack of topology.racks) {
      const s = snap.rackPowerW[rack.id];
      const measured = s === undefined ? 'no data' : `${s.value.toFixed(0)} W (${age(s.sampleTimeMs)} old${s.stale ? ', stale' : ''})`;
      const inlet = snap.inletC[rack.id];
      const fallback = eff.replaced.has(rack.id) ? ` → using ${eff.rackPowerW[rack.id]} W: ${eff.reasons[rack.id]}` : '';
      lines.push(`  ${rack.id}: ${measured}${inlet === undefined ? '' : `, inlet ${inlet.value} °C`}${fallback}`);
    }
  }
  lines.push('nodes:');
  for (const [name, s] of Object.entries(snap.nodePowerW).sort()) lines.push(`  ${name}: ${s.value.toFixed(1)} W from ${s.source} (${age(s.sampleTimeMs)} old${s.stale ? ', stale' : ''})`);
  if (snap.problems.length > 0) lines.push('problems:', ...snap.problems.map((p) => `  - ${p}`));
  return `${lines.join('\n')}\n`;
}
