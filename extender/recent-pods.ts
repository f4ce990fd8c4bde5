// The scheduler calls filter/prioritize before bind, but bind args carry only the pod's name: keep
// the last few thousand pods seen so bind can charge the right power to the ledger. Bounded (LRU).
import type { PodLike } from './decisions/index.js';

export class RecentPods {
  private readonly pods = new Map<string, PodLike>();

  constructor(private readonly capacity = 4096) {}

  remember(key: string, pod: PodLike): void {
    this.pods.delete(key);
    this.pods.set(key, pod);
    if (this.pods.size > this.capacity) {
      const oldest = this.pods.keys().next();
      if (oldest.done !== true) this.pods.delete(oldest.value);
    }
  }

  get(key: string): PodLike | undefined {
    return this.pods.get(key);
  }

  get size(): number {
    return this.pods.size;
  }
}
