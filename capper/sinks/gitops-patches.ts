// The files a GitOps recommendation consists of: merge patches a reviewer can apply with
// `kubectl patch --type merge --patch-file`, or a GitOps tool can merge into its manifests.
import { stringify } from 'yaml';
import { ANNOTATIONS } from '../policy-schema.js';
import { describeAction, formatW, type Recommendation } from './types.js';

export interface PatchFile {
  /** Relative to the recommendation's directory. */
  readonly path: string;
  readonly content: string;
}

/** Git ref components and file names: keep Kubernetes-name characters, replace the rest. */
export function safeSegment(s: string): string {
  // git refuses refs with '..', a leading '.', or ending in '.lock'.
  return s.replace(/[^A-Za-z0-9._-]/g, '_').replace(/\.\./g, '__').replace(/^\./, '_').replace(/\.lock$/, '_lock') || '_';
}

/** `20261129T102000Z`: sortable, and legal in a git ref (no ':'). */
export function compactTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

export function recommendationDir(rec: Recommendation, prefix: string): string {
  return [prefix, rec.policy.namespace, rec.policy.name, rec.rack.id].map(safeSegment).join('/');
}

export function branchName(rec: Recommendation): string {
  return `climatik/${safeSegment(rec.policy.name)}/${safeSegment(rec.rack.id)}-${compactTimestamp(rec.createdAtMs)}`;
}

export function patchFiles(rec: Recommendation): PatchFile[] {
  const by = `${rec.policy.namespace}/${rec.policy.name}`;
  const files: PatchFile[] = [];
  for (const a of rec.actions) {
    switch (a.kind) {
      case 'SetGpuPowerLimit':
      case 'ClearGpuPowerLimit': {
        const set = a.kind === 'SetGpuPowerLimit';
        // null removes the annotation in a JSON merge patch: the node agent restores the default.
        const annotations = { [ANNOTATIONS.gpuPowerLimitW]: set ? String(a.limitW) : null, [ANNOTATIONS.gpuPowerLimitBy]: set ? by : null };
        const patch = { apiVersion: 'v1', kind: 'Node', metadata: { name: a.node, annotations } };
        files.push({ path: `node-${safeSegment(a.node)}.yaml`, content: withHeader(`kubectl patch node ${a.node} --type merge --patch-file`, a.reason, patch) });
        break;
      }
      case 'SetMaxReplicas':
      case 'RestoreMaxReplicas': {
        const set = a.kind === 'SetMaxReplicas';
        const annotations = set
          ? { [ANNOTATIONS.originalMaxReplicaCount]: String(a.originalMaxReplicaCount), [ANNOTATIONS.cappedBy]: by }
          : { [ANNOTATIONS.originalMaxReplicaCount]: null, [ANNOTATIONS.cappedBy]: null };
        const patch = { apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name: a.name, namespace: a.namespace, annotations }, spec: { maxReplicaCount: a.maxReplicaCount } };
        files.push({
          path: `scaledobject-${safeSegment(a.namespace)}-${safeSegment(a.name)}.yaml`,
          content: withHeader(`kubectl patch scaledobject ${a.name} -n ${a.namespace} --type merge --patch-file`, a.reason, patch),
        });
        break;
      }
      case 'SetPodDeletionCost':
      case 'ClearPodDeletionCost':
        // Pods are ephemeral and not kept in git; listed in RECOMMENDATION.md only.
        break;
    }
  }
  files.push({ path: 'RECOMMENDATION.md', content: summary(rec) });
  return files;
}

function withHeader(command: string, reason: string, patch: object): string {
  return `# Climatik recommendation (${reason}).\n# Apply: ${command} <this file>\n${stringify(patch)}`;
}

function summary(rec: Recommendation): string {
  return [
    `# Rack ${rec.rack.id}: ${rec.rack.state}`,
    '',
    `Policy ${rec.policy.namespace}/${rec.policy.name}, ${new Date(rec.createdAtMs).toISOString()}.`,
    '',
    `| measured | forecast | cap |`,
    `|---|---|---|`,
    `| ${formatW(rec.rack.measuredW)} | ${formatW(rec.rack.forecastW)} | ${formatW(rec.rack.capW)} |`,
    '',
    '## Actions',
    ...rec.actions.map((a) => `- ${describeAction(a)}: ${a.reason}`),
    '',
    `Expected effect: ${rec.expectedEffect}`,
    '',
  ].join('\n');
}
