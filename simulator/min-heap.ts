// A binary min-heap on a numeric key. Decoding sequences finish in order of a per-replica token
// counter; the heap keeps that O(log n) per request instead of touching every sequence each step.
export class MinHeap<T> {
  private readonly keys: number[] = [];
  private readonly items: T[] = [];

  get size(): number {
    return this.keys.length;
  }

  peekKey(): number | undefined {
    return this.keys[0];
  }

  push(key: number, item: T): void {
    this.keys.push(key);
    this.items.push(item);
    let i = this.keys.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((this.keys[parent] as number) <= key) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  pop(): T | undefined {
    const n = this.keys.length;
    if (n === 0) return undefined;
    const top = this.items[0];
    const lastKey = this.keys.pop() as number;
    const lastItem = this.items.pop() as T;
    if (n > 1) {
      this.keys[0] = lastKey;
      this.items[0] = lastItem;
      this.siftDown(0);
    }
    return top;
  }

  /** Removes and returns every item, in no particular order. */
  drain(): T[] {
    const all = this.items.splice(0);
    this.keys.length = 0;
    return all;
  }

  private siftDown(start: number): void {
    const n = this.keys.length;
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && (this.keys[l] as number) < (this.keys[m] as number)) m = l;
      if (r < n && (this.keys[r] as number) < (this.keys[m] as number)) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }

  private swap(a: number, b: number): void {
    const k = this.keys[a] as number;
    this.keys[a] = this.keys[b] as number;
    this.keys[b] = k;
    const it = this.items[a] as T;
    this.items[a] = this.items[b] as T;
    this.items[b] = it;
  }
}
