// The bind seam: the Kubernetes binder in cluster mode, a fake in tests, none offline.

export interface BindTarget {
  readonly name: string;
  readonly namespace: string;
  readonly uid: string;
  readonly node: string;
}

export type BindOutcome = 'bound' | 'already-bound';

export interface Binder {
  /** Binds the pod, or confirms it is already bound to the same node; throws with a message otherwise. */
  bind(target: BindTarget): Promise<BindOutcome>;
}

export const OFFLINE_BIND_ERROR = 'bind needs API access (offline mode)';
