// GPU nodes as plain API objects: no kubelet runs, so the test writes what a kubelet would report
// (capacity, allocatable including nvidia.com/gpu, a Ready condition) through the status subresource.
import type { CoreV1Api, V1Node } from '@kubernetes/client-node';
import { DEFAULT_RACK_LABEL } from '../../rack-model/topology-schema.js';

export interface GpuNodeSpec {
  readonly name: string;
  readonly rack: string;
  readonly gpus: number;
  /** Kubernetes quantities, e.g. "64" and "512Gi". */
  readonly cpu: string;
  readonly memory: string;
  readonly labels?: Readonly<Record<string, string>>;
  /** Label key carrying the rack id (default topology.climatik.io/rack). */
  readonly rackLabel?: string;
}

export async function createGpuNode(client: CoreV1Api, spec: GpuNodeSpec): Promise<V1Node> {
  const created = await client.createNode({
    body: {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: spec.name,
        labels: {
          'kubernetes.io/hostname': spec.name,
          'kubernetes.io/os': 'linux',
          [spec.rackLabel ?? DEFAULT_RACK_LABEL]: spec.rack,
          ...spec.labels,
        },
      },
    },
  });
  const resources = { cpu: spec.cpu, memory: spec.memory, pods: '110', 'nvidia.com/gpu': String(spec.gpus) };
  const now = new Date();
  // status is ignored on create; a replace of the status subresource is what a kubelet does.
  return client.replaceNodeStatus({
    name: spec.name,
    body: {
      ...created,
      status: {
        capacity: resources,
        allocatable: resources,
        conditions: [
          { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'e2e node', lastHeartbeatTime: now, lastTransitionTime: now },
        ],
      },
    },
  });
}
