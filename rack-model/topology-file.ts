// The one place the rack model reads a file: a topology YAML/JSON document from disk.
import { readDocument } from '../common/index.js';
import { parseTopology } from './topology.js';
import type { Topology } from './types.js';

export async function loadTopologyFile(path: string): Promise<Topology> {
  return parseTopology(await readDocument(path), path);
}
