// Cross-field rules of a RackTopology document, on top of the TypeBox schema. Every rule walks the
// raw document defensively (it may be half-broken), so one run reports every problem with its path
// and value, never just the first: an operator fixes a ConfigMap in one edit, not ten.
import type { FieldIssue } from '../common/index.js';
import { RackTopologySchema } from './topology-schema.js';
import { isRecord, schemaIssues } from './schema-issues.js';

/** Every problem in a topology document; empty when it is valid. */
export function topologyIssues(doc: unknown): FieldIssue[] {
  const issues = schemaIssues(RackTopologySchema, doc);
  if (!isRecord(doc)) return issues;
  const racks = Array.isArray(doc.racks) ? doc.racks : [];
  const rackIds = rackIdIssues(racks, issues);
  nodeIssues(racks, issues);
  temperatureIssues(doc, issues);
  const hr = doc.heatRecirculation;
  if (isRecord(hr)) recirculationIssues(hr, racks, rackIds, issues);
  // Sorted by path (numeric segments in order), so a rack's problems read together.
  return dedupe(issues).sort((a, b) => a.path.localeCompare(b.path, 'en', { numeric: true }));
}

/** Duplicate rack ids; returns the set of ids seen (for rules that reference racks). */
function rackIdIssues(racks: unknown[], issues: FieldIssue[]): Set<string> {
  const firstAt = new Map<string, number>();
  racks.forEach((rack, i) => {
    if (!isRecord(rack) || typeof rack.id !== 'string') return;
    const first = firstAt.get(rack.id);
    if (first === undefined) firstAt.set(rack.id, i);
    else issues.push({ path: `/racks/${i}/id`, message: `duplicate rack id (first used at /racks/${first})`, value: rack.id });
  });
  return new Set(firstAt.keys());
}

/** A node may belong to one rack only, and be listed once. */
function nodeIssues(racks: unknown[], issues: FieldIssue[]): void {
  const owner = new Map<string, { rack: number; path: string }>();
  racks.forEach((rack, i) => {
    if (!isRecord(rack) || !Array.isArray(rack.nodes)) return;
    rack.nodes.forEach((node, j) => {
      if (typeof node !== 'string') return;
      const path = `/racks/${i}/nodes/${j}`;
      const prev = owner.get(node);
      if (prev === undefined) owner.set(node, { rack: i, path });
      else if (prev.rack === i) issues.push({ path, message: `node listed twice in this rack (also at ${prev.path})`, value: node });
      else issues.push({ path, message: `node already belongs to another rack (${prev.path})`, value: node });
    });
  });
}

function temperatureIssues(doc: Record<string, unknown>, issues: FieldIssue[]): void {
  const { supplyTemperatureC: supply, redlineInletC: redline } = doc;
  if (typeof supply !== 'number' || typeof redline !== 'number') return;
  if (!Number.isFinite(supply) || !Number.isFinite(redline)) return;
  if (redline <= supply) {
    issues.push({ path: '/redlineInletC', message: `must be above supplyTemperatureC (${supply} °C)`, value: redline });
  }
}

function recirculationIssues(hr: Record<string, unknown>, racks: unknown[], rackIds: Set<string>, issues: FieldIssue[]): void {
  const hasMatrix = hr.matrixCPerKW !== undefined;
  const hasGenerated = hr.generated !== undefined;
  if (hasMatrix === hasGenerated) {
    issues.push({
      path: '/heatRecirculation',
      message: `needs exactly one of matrixCPerKW or generated, found ${hasMatrix ? 'both' : 'neither'}`,
      value: Object.keys(hr),
    });
  }
  if (hasMatrix) matrixIssues(hr.matrixCPerKW, racks.length, issues);
  if (hr.rackOrder !== undefined) rackOrderIssues(hr.rackOrder, hasMatrix, rackIds, issues);
  if (isRecord(hr.generated)) generatedIssues(hr.generated, racks, issues);
}

function matrixIssues(matrix: unknown, rackCount: number, issues: FieldIssue[]): void {
  if (!Array.isArray(matrix)) return;
  const base = '/heatRecirculation/matrixCPerKW';
  if (matrix.length !== rackCount) {
    issues.push({ path: base, message: `has ${matrix.length} rows, expected ${rackCount} (one per rack)`, value: matrix.length });
  }
  matrix.forEach((row: unknown, i) => {
    if (!Array.isArray(row)) return;
    if (row.length !== rackCount) {
      issues.push({ path: `${base}/${i}`, message: `has ${row.length} entries, expected ${rackCount} (one per rack)`, value: row });
    }
    row.forEach((entry: unknown, j) => {
      if (typeof entry === 'number' && entry < 0) {
        issues.push({ path: `${base}/${i}/${j}`, message: 'must be >= 0 (inlet rise per kW cannot be negative)', value: entry });
      }
    });
  });
}

/** `rackOrder` must be a permutation of the rack ids. */
function rackOrderIssues(order: unknown, hasMatrix: boolean, rackIds: Set<string>, issues: FieldIssue[]): void {
  const base = '/heatRecirculation/rackOrder';
  if (!hasMatrix) issues.push({ path: base, message: 'only applies to matrixCPerKW', value: order });
  if (!Array.isArray(order)) return;
  const seen = new Set<string>();
  order.forEach((id: unknown, k) => {
    if (typeof id !== 'string') return;
    if (!rackIds.has(id)) issues.push({ path: `${base}/${k}`, message: 'unknown rack id', value: id });
    else if (seen.has(id)) issues.push({ path: `${base}/${k}`, message: 'duplicate rack id', value: id });
    seen.add(id);
  });
  const missing = [...rackIds].filter((id) => !seen.has(id));
  if (missing.length > 0) issues.push({ path: base, message: `does not list racks ${missing.join(', ')}`, value: order });
}

/** The generated model places racks by row and position; hot-aisle pairs must name known rows. */
function generatedIssues(gen: Record<string, unknown>, racks: unknown[], issues: FieldIssue[]): void {
  const rows = new Set<string>();
  const slot = new Map<string, number>();
  racks.forEach((rack, i) => {
    if (!isRecord(rack)) return;
    for (const field of ['row', 'position'] as const) {
      if (rack[field] === undefined) {
        issues.push({ path: `/racks/${i}/${field}`, message: 'required by heatRecirculation.generated', value: undefined });
      }
    }
    if (typeof rack.row !== 'string') return;
    rows.add(rack.row);
    if (typeof rack.position !== 'number') return;
    const key = `${rack.row}\u0000${rack.position}`;
    const other = slot.get(key);
    if (other === undefined) slot.set(key, i);
    else issues.push({ path: `/racks/${i}/position`, message: `slot already taken in row ${rack.row} by /racks/${other}`, value: rack.position });
  });
  const pairs = gen.hotAislePairs;
  if (!Array.isArray(pairs)) return;
  pairs.forEach((pair: unknown, k) => {
    if (!Array.isArray(pair)) return;
    pair.forEach((row: unknown, side) => {
      if (typeof row === 'string' && !rows.has(row)) {
        const known = [...rows].join(', ') || 'none';
        issues.push({ path: `/heatRecirculation/generated/hotAislePairs/${k}/${side}`, message: `unknown row (rows: ${known})`, value: row });
      }
    });
    if (pair.length === 2 && pair[0] === pair[1]) {
      issues.push({ path: `/heatRecirculation/generated/hotAislePairs/${k}`, message: 'a row cannot share a hot aisle with itself', value: pair });
    }
  });
}

/** The schema and a rule may both flag one field (e.g. a missing row): keep one line per path+message. */
function dedupe(issues: FieldIssue[]): FieldIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.path}\u0000${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
