// Binds through the API server: a v1 Binding on the pod's `binding` subresource. A retried bind
// (the scheduler's request timed out after we succeeded) meets 409 Conflict: if the pod already
// sits on the same node that is success, otherwise an error naming where it is.
import { ApiException, type CoreV1Api } from '@kubernetes/client-node';
import type { Binder, BindOutcome, BindTarget } from '../binder.js';

type BindingApi = Pick<CoreV1Api, 'createNamespacedPodBinding' | 'readNamespacedPod'>;

export class KubernetesBinder implements Binder {
  constructor(private readonly core: BindingApi) {}

  async bind(target: BindTarget): Promise<BindOutcome> {
    try {
      await this.core.createNamespacedPodBinding({
        name: target.name,
        namespace: target.namespace,
        body: {
          apiVersion: 'v1',
          kind: 'Binding',
          metadata: { name: target.name, namespace: target.namespace, ...(target.uid === '' ? {} : { uid: target.uid }) },
          target: { apiVersion: 'v1', kind: 'Node', name: target.node },
        },
      });
      return 'bound';
    } catch (err) {
      if (!(err instanceof ApiException) || err.code !== 409) throw new Error(apiMessage(err), { cause: err });
      const pod = await this.core.readNamespacedPod({ name: target.name, namespace: target.namespace });
      // The Binding carries the UID as a precondition: a mismatch means the pod was recreated.
      if (target.uid !== '' && pod.metadata?.uid !== undefined && pod.metadata.uid !== target.uid) {
        throw new Error(`pod was recreated (UID ${pod.metadata.uid}, not ${target.uid})`, { cause: err });
      }
      if (pod.spec?.nodeName === target.node) return 'already-bound';
      throw new Error(`pod is already bound to ${pod.spec?.nodeName ?? '(none)'}`, { cause: err });
    }
  }
}

function apiMessage(err: unknown): string {
  if (err instanceof ApiException) {
    const body = err.body as { message?: unknown } | string | undefined;
    const detail = typeof body === 'object' && body !== null && typeof body.message === 'string' ? body.message : String(body);
    return `API server answered ${err.code}: ${detail}`;
  }
  return err instanceof Error ? err.message : String(err);
}
