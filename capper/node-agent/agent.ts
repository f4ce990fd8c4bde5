// The node agent: watches its own Node (field selector on the name) for the desired per-GPU limit
// annotation, applies it through a GpuPowerBackend, re-applies on a timer (driver reloads and
// reboots drop limits), and reports what the GPUs enforce on the Node and in metrics.
// Applies are serialised so a watch event and the timer never race on the GPUs.
import { CoreV1Api, ListWatch, Watch, type KubeConfig, type V1Node } from '@kubernetes/client-node';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Logger } from '../../common/index.js';
import type { GpuPowerBackend } from '../gpu/backend.js';
import { resilient, type ResilientInformer } from '../kube/informer.js';
import { kubeError, mergePatch } from '../kube/patch.js';
import { ANNOTATIONS } from '../policy-schema.js';
import { applyGpuLimit, parseDesiredLimit, type AppliedReport } from './apply.js';

export interface NodeAgentDeps {
  readonly kubeConfig: KubeConfig;
  readonly nodeName: string;
  readonly backend: GpuPowerBackend;
  readonly intervalMs: number;
  readonly logger: Logger;
  readonly registry: Registry;
}

/** The applied-limit annotation's content (parsed by the capper to learn GPU counts and limits). */
export function reportAnnotation(report: AppliedReport): string {
  return JSON.stringify({
    desiredW: report.desiredW,
    gpus: report.gpus.map((g) => ({ index: g.index, uuid: g.uuid, enforcedW: g.enforcedW, defaultW: g.defaultW, minW: g.minW, maxW: g.maxW })),
    errors: report.errors,
  });
}

export class NodeAgent {
  private readonly core: CoreV1Api;
  private readonly informer: ResilientInformer<V1Node>;
  private chain: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private lastAnnotation: string | undefined;
  private lastReported: string | undefined;
  private readonly enforcedW: Gauge;
  private readonly targetW: Gauge;
  private readonly errors: Counter;
  private readonly changes: Counter;

  constructor(private readonly deps: NodeAgentDeps) {
    this.core = deps.kubeConfig.makeApiClient(CoreV1Api);
    const fieldSelector = `metadata.name=${deps.nodeName}`;
    const lw = new ListWatch<V1Node>('/api/v1/nodes', new Watch(deps.kubeConfig), () => this.core.listNode({ fieldSelector }), false, undefined, fieldSelector);
    this.informer = resilient('node', lw, deps.logger);
    lw.on('add', (n) => this.onNode(n));
    lw.on('update', (n) => this.onNode(n));
    const labelNames = ['gpu', 'uuid'] as const;
    const registers = [deps.registry];
    this.enforcedW = new Gauge({ name: 'climatik_gpu_power_limit_enforced_watts', help: 'enforced.power.limit read back from the GPU', labelNames, registers });
    this.targetW = new Gauge({ name: 'climatik_gpu_power_limit_target_watts', help: 'limit the agent applies (desired, clamped; default when none)', labelNames, registers });
    this.errors = new Counter({ name: 'climatik_node_agent_errors_total', help: 'failed GPU or API operations', labelNames: ['operation'], registers });
    this.changes = new Counter({ name: 'climatik_node_agent_limit_changes_total', help: 'nvidia-smi -pl calls that succeeded', registers });
  }

  async start(): Promise<void> {
    await this.informer.start();
    const tick = () => {
      void this.reconcile('interval').finally(() => {
        if (this.timer !== undefined) this.timer = setTimeout(tick, this.deps.intervalMs);
      });
    };
    this.timer = setTimeout(tick, this.deps.intervalMs);
    await this.reconcile('start');
  }

  async stop(): Promise<void> {
    const t = this.timer;
    this.timer = undefined;
    if (t !== undefined) clearTimeout(t);
    await this.informer.stop();
    await this.chain;
  }

  ready(): boolean {
    return this.informer.synced() && this.lastReported !== undefined;
  }

  private onNode(node: V1Node): void {
    const value = node.metadata?.annotations?.[ANNOTATIONS.gpuPowerLimitW];
    if (value === this.lastAnnotation) return;
    this.lastAnnotation = value;
    void this.reconcile('annotation changed');
  }

  /** Runs one apply after any in-flight one; never rejects (failures are logged and counted). */
  reconcile(why: string): Promise<AppliedReport | undefined> {
    const run = this.chain.then(() => this.applyOnce(why));
    this.chain = run.catch(() => undefined);
    return run.catch((err: unknown) => {
      this.errors.inc({ operation: 'reconcile' });
      this.deps.logger.error({ err: String(err), why }, 'GPU limit reconcile failed');
      return undefined;
    });
  }

  private async applyOnce(why: string): Promise<AppliedReport> {
    const node = this.informer.cache.get(this.deps.nodeName);
    const raw = node?.metadata?.annotations?.[ANNOTATIONS.gpuPowerLimitW];
    const parsed = parseDesiredLimit(raw);
    let report = await applyGpuLimit(this.deps.backend, parsed.desiredW);
    if (parsed.error !== undefined) report = { ...report, errors: [...report.errors, parsed.error] };
    for (const g of report.gpus) {
      const labels = { gpu: String(g.index), uuid: g.uuid };
      this.enforcedW.set(labels, g.enforcedW);
      this.targetW.set(labels, g.targetW);
    }
    this.changes.inc(report.changed);
    if (report.errors.length > 0) this.errors.inc({ operation: 'apply' }, report.errors.length);
    if (report.changed > 0 || report.errors.length > 0) {
      this.deps.logger.info({ why, desiredW: report.desiredW, changed: report.changed, errors: report.errors }, 'GPU power limits applied');
    }
    await this.publish(report);
    return report;
  }

  private async publish(report: AppliedReport): Promise<void> {
    const value = reportAnnotation(report);
    if (value === this.lastReported) return;
    try {
      await this.core.patchNode({ name: this.deps.nodeName, body: { metadata: { annotations: { [ANNOTATIONS.gpuPowerLimitApplied]: value } } } }, mergePatch);
      this.lastReported = value;
    } catch (err) {
      this.errors.inc({ operation: 'report' });
      throw kubeError(`patch Node ${this.deps.nodeName}`, err);
    }
  }
}
