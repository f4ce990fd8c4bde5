// Rack power input: the `{"rackPowerW": {...}}` file of `climatik plan` (also the offline telemetry
// source) and the map planners receive. Ids must name racks of the topology; values finite, >= 0.
import Type, { type Static } from 'typebox';
import { ClimatikError, type FieldIssue } from '../common/index.js';
import { isRecord, schemaIssues } from './schema-issues.js';
import type { RackPowerW, Topology } from './types.js';

export const RackPowerFileSchema = Type.Object(
  {
    rackPowerW: Type.Record(Type.String({ minLength: 1 }), Type.Number({ minimum: 0, description: 'current rack power, W' })),
  },
  { additionalProperties: false },
);
export type RackPowerFile = Static<typeof RackPowerFileSchema>;

/** Problems with a rack power map against a topology (`basePath` prefixes every issue path). */
export function rackPowerIssues(topology: Topology, rackPowerW: unknown, basePath = '/rackPowerW'): FieldIssue[] {
  if (!isRecord(rackPowerW)) return [{ path: basePath, message: 'must be an object of rack id to watts', value: rackPowerW }];
  const issues: FieldIssue[] = [];
  for (const [id, value] of Object.entries(rackPowerW)) {
    const path = `${basePath}/${id}`;
    if (!topology.rackIndex.has(id)) {
      issues.push({ path, message: `unknown rack id (racks: ${topology.racks.map((r) => r.id).join(', ')})`, value: id });
    } else if (typeof value !== 'number' || !Number.isFinite(value)) {
      issues.push({ path, message: 'must be a finite number of watts', value: typeof value === 'number' ? String(value) : value });
    } else if (value < 0) {
      issues.push({ path, message: 'must be >= 0', value });
    }
  }
  return issues;
}

/** Validates a parsed power file (schema, then rack ids against the topology). */
export function parseRackPowerFile(doc: unknown, topology: Topology, source: string): RackPowerW {
  const issues = schemaIssues(RackPowerFileSchema, doc);
  if (isRecord(doc) && isRecord(doc.rackPowerW)) {
    // Unknown rack ids are reported alongside schema problems; a field the schema flagged stays one line.
    const flagged = new Set(issues.map((i) => i.path));
    issues.push(...rackPowerIssues(topology, doc.rackPowerW).filter((i) => !flagged.has(i.path)));
  }
  if (issues.length > 0) {
    throw new ClimatikError('CLIMATIK_POWER_INPUT_INVALID', `power file ${source} is invalid: ${issues.length} problem(s)`, { issues });
  }
  return Object.freeze({ ...(doc as RackPowerFile).rackPowerW });
}
