// One model replica on G GPUs with continuous batching: prefill runs first-come first-served and
// takes priority over decode (as vLLM schedules it); decode advances every active sequence by the
// same number of tokens per step, so finishing sequences come off a heap keyed by a per-replica
// token counter. Within a step, prefill completions are timed exactly; decode joins at step end.
import { decodeSlowdown, gpuPowerW, prefillSlowdown, type GpuPowerSpec } from './gpu-power.js';
import type { RequestSink } from './latency-log.js';
import { MinHeap } from './min-heap.js';

export interface ServingSpec {
  readonly gpusPerReplica: number;
  /** Prompt tokens per second for the whole replica at the default power limit. */
  readonly prefillTokensPerS: number;
  /** Decode iteration time = base + perSequence x batch (memory-bound), ms. */
  readonly decodeBaseIterationMs: number;
  readonly decodePerSequenceMs: number;
  /** Most sequences decoding at once (KV-cache capacity); more wait for a slot. */
  readonly maxBatch: number;
  /** Model load time before a new replica takes requests, s. */
  readonly startupS: number;
}

export interface Request {
  readonly arrivalS: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** Prompt tokens still to prefill. */
  remainingPrefill: number;
  firstTokenS: number;
}

export type ReplicaPhase = 'starting' | 'ready' | 'draining';

export class Replica {
  phase: ReplicaPhase = 'starting';
  /** Per-GPU power limit currently applied to this replica's GPUs (W). */
  limitW: number;
  /** Mean power per GPU over the last step (W). */
  gpuPowerW: number;
  private readonly prefillQueue: Request[] = [];
  private prefillHead = 0;
  private readonly decoding = new MinHeap<Request>();
  private readonly waitingForSlot: Request[] = [];
  private waitingHead = 0;
  /** Tokens each active sequence has generated since the replica started (fractional). */
  private counter = 0;

  constructor(
    readonly id: string,
    readonly nodeName: string,
    readonly rackId: string,
    readonly createdS: number,
    readonly readyS: number,
    private readonly serving: ServingSpec,
    private readonly gpu: GpuPowerSpec,
  ) {
    this.limitW = gpu.maxLimitW;
    this.gpuPowerW = gpu.idleW;
  }

  get gpus(): number {
    return this.serving.gpusPerReplica;
  }

  /** Requests queued, prefilling, decoding or waiting for a decode slot. */
  get inFlight(): number {
    return this.prefillQueue.length - this.prefillHead + this.decoding.size + this.waitingForSlot.length - this.waitingHead;
  }

  accept(request: Request): void {
    this.prefillQueue.push(request);
  }

  /** Advances the replica over [t, t + dt): prefill, then decode with the time left; updates power. */
  advance(t: number, dt: number, sink: RequestSink): void {
    if (this.phase === 'starting') {
      this.gpuPowerW = this.gpu.idleW;
      return;
    }
    const end = t + dt;
    const prefillRate = this.serving.prefillTokensPerS / prefillSlowdown(this.gpu, this.limitW);
    let cursor = t;
    let busyS = 0;
    const finishedPrefill: Request[] = [];
    while (this.prefillHead < this.prefillQueue.length) {
      const r = this.prefillQueue[this.prefillHead] as Request;
      const start = Math.max(cursor, r.arrivalS);
      if (start >= end) break;
      const needS = r.remainingPrefill / prefillRate;
      if (start + needS <= end) {
        busyS += needS;
        cursor = start + needS;
        sink.tokensServed += r.remainingPrefill;
        r.remainingPrefill = 0;
        r.firstTokenS = cursor;
        sink.ttftS.add(cursor - r.arrivalS);
        finishedPrefill.push(r);
        this.prefillHead += 1;
      } else {
        const doneTokens = (end - start) * prefillRate;
        sink.tokensServed += doneTokens;
        r.remainingPrefill -= doneTokens;
        busyS += end - start;
        break;
      }
    }
    this.compactPrefill();

    const prefillFraction = Math.min(1, busyS / dt);
    const batch = this.decoding.size;
    let decodeFraction = 0;
    if (batch > 0 && prefillFraction < 1) {
      decodeFraction = 1 - prefillFraction;
      const iterS = ((this.serving.decodeBaseIterationMs + this.serving.decodePerSequenceMs * batch) / 1000) * decodeSlowdown(this.gpu, this.limitW);
      const tokensPerSeq = (decodeFraction * dt) / iterS;
      const before = this.counter;
      this.counter += tokensPerSeq;
      sink.tokensServed += tokensPerSeq * batch;
      for (let key = this.decoding.peekKey(); key !== undefined && key <= this.counter; key = this.decoding.peekKey()) {
        const r = this.decoding.pop() as Request;
        // The step credited tokensPerSeq to every sequence; give back what this one did not need.
        sink.tokensServed -= this.counter - key;
        const finishS = t + dt * ((key - before) / tokensPerSeq);
        sink.tpotS.add((finishS - r.firstTokenS) / Math.max(1, r.outputTokens - 1));
      }
    }
    for (const r of finishedPrefill) this.startDecode(r, sink);
    this.admitWaiting();
    this.gpuPowerW = gpuPowerW(this.gpu, this.limitW, prefillFraction, decodeFraction);
  }

  /** Hands back requests that have not started prefill (a drained replica's queue goes elsewhere). */
  takeUnstarted(): Request[] {
    const out: Request[] = [];
    const keep: Request[] = [];
    for (let i = this.prefillHead; i < this.prefillQueue.length; i += 1) {
      const r = this.prefillQueue[i] as Request;
      (r.remainingPrefill === r.inputTokens ? out : keep).push(r);
    }
    this.prefillQueue.length = 0;
    this.prefillHead = 0;
    this.prefillQueue.push(...keep);
    return out;
  }

  /** Nothing queued, prefilling or decoding (a draining replica can go). */
  get idle(): boolean {
    return this.inFlight === 0;
  }

  private startDecode(r: Request, sink: RequestSink): void {
    // The first output token comes with the prefill; the rest are decode iterations.
    sink.tokensServed += Math.min(1, r.outputTokens);
    if (r.outputTokens <= 1) {
      sink.tpotS.add(0);
      return;
    }
    if (this.decoding.size >= this.serving.maxBatch) {
      this.waitingForSlot.push(r);
      return;
    }
    this.decoding.push(this.counter + r.outputTokens - 1, r);
  }

  private admitWaiting(): void {
    while (this.waitingHead < this.waitingForSlot.length && this.decoding.size < this.serving.maxBatch) {
      const r = this.waitingForSlot[this.waitingHead] as Request;
      this.waitingHead += 1;
      this.decoding.push(this.counter + r.outputTokens - 1, r);
    }
    if (this.waitingHead > 1024 && this.waitingHead * 2 > this.waitingForSlot.length) {
      this.waitingForSlot.splice(0, this.waitingHead);
      this.waitingHead = 0;
    }
  }

  private compactPrefill(): void {
    if (this.prefillHead > 1024 && this.prefillHead * 2 > this.prefillQueue.length) {
      this.prefillQueue.splice(0, this.prefillHead);
      this.prefillHead = 0;
    }
  }
}

export function newRequest(arrivalS: number, inputTokens: number, outputTokens: number): Request {
  return { arrivalS, inputTokens, outputTokens, remainingPrefill: inputTokens, firstTokenS: Number.NaN };
}
