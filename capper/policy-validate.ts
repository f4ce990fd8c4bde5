// Turns a PowerCappingPolicy spec as stored in the API server into the resolved, millisecond-based
// form the decisions use. Schema first (every problem with its path), then the cross-field rules the
// schema cannot state; the CRD carries the same cap rule in CEL so kubectl rejects it early too.
import { ClimatikError, deepFreeze, parseDurationMs, validator, withDefaults, type FieldIssue } from '../common/index.js';
import { PolicySpecSchema, type ForecastMethod, type LabelSelector, type PolicyMode, type PolicySpec, type Strategy } from './policy-schema.js';

export interface ResolvedPolicy {
  readonly namespace: string;
  readonly name: string;
  readonly mode: PolicyMode;
  /** Empty = every rack of the topology. */
  readonly racks: readonly string[];
  readonly cap: { readonly percentOfBudget: number } | { readonly watts: number };
  readonly observationWindowMs: number;
  readonly scaledObjects: { readonly names: readonly string[] | undefined; readonly labelSelector: LabelSelector | undefined } | undefined;
  readonly gpuPowerLimits: { readonly enabled: boolean; readonly floorW: number; readonly stepW: number; readonly kneePercentOfDefault: number };
  readonly forecast: { readonly method: ForecastMethod; readonly horizonMs: number; readonly seasonLengthMs: number | undefined; readonly upperBandSigmas: number };
  readonly strategy: Strategy;
  readonly hysteresis: { readonly restoreBelowPercentOfCap: number; readonly restoreAfterMs: number; readonly minActionIntervalMs: number };
}

const specValidator = validator(PolicySpecSchema);

/** Schema defaults filled in, as the API server would (useful for specs read from files). */
export function specWithDefaults(raw: unknown): unknown {
  return withDefaults(PolicySpecSchema, raw ?? {});
}

export function policySpecIssues(raw: unknown): FieldIssue[] {
  const filled = specWithDefaults(raw);
  const issues = specValidator.issues(filled);
  if (issues.length > 0) return issues;
  return crossFieldIssues(filled as PolicySpec);
}

export function resolvePolicy(raw: unknown, where: { namespace: string; name: string }): ResolvedPolicy {
  const issues = policySpecIssues(raw);
  if (issues.length > 0) {
    throw new ClimatikError('CLIMATIK_CONFIG_INVALID', `PowerCappingPolicy ${where.namespace}/${where.name} is invalid`, {
      issues: issues.map((i) => ({ ...i, path: `/spec${i.path}` })),
    });
  }
  const spec = specWithDefaults(raw) as PolicySpec;
  const gpu = spec.targets.gpuPowerLimits;
  return deepFreeze({
    namespace: where.namespace,
    name: where.name,
    mode: spec.mode,
    racks: spec.racks ?? [],
    cap: spec.capWatts !== undefined ? { watts: spec.capWatts } : { percentOfBudget: spec.capPercentOfBudget ?? 100 },
    observationWindowMs: ms(spec.observationWindow),
    scaledObjects:
      spec.targets.scaledObjects === undefined
        ? undefined
        : { names: spec.targets.scaledObjects.names, labelSelector: spec.targets.scaledObjects.labelSelector },
    gpuPowerLimits: {
      enabled: gpu?.enabled ?? false,
      floorW: gpu?.floorW ?? 150,
      stepW: gpu?.stepW ?? 25,
      kneePercentOfDefault: gpu?.kneePercentOfDefault ?? 70,
    },
    forecast: {
      method: spec.forecast.method,
      horizonMs: ms(spec.forecast.horizon),
      seasonLengthMs: spec.forecast.seasonLength === undefined ? undefined : ms(spec.forecast.seasonLength),
      upperBandSigmas: spec.forecast.upperBandSigmas,
    },
    strategy: spec.strategy,
    hysteresis: {
      restoreBelowPercentOfCap: spec.hysteresis.restoreBelowPercentOfCap,
      restoreAfterMs: ms(spec.hysteresis.restoreAfter),
      minActionIntervalMs: ms(spec.hysteresis.minActionInterval),
    },
  });
}

function crossFieldIssues(spec: PolicySpec): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if ((spec.capPercentOfBudget === undefined) === (spec.capWatts === undefined)) {
    issues.push({
      path: '/capPercentOfBudget',
      message: 'set exactly one of capPercentOfBudget and capWatts',
      value: { capPercentOfBudget: spec.capPercentOfBudget, capWatts: spec.capWatts },
    });
  }
  const so = spec.targets.scaledObjects;
  if (so !== undefined && (so.names === undefined) === (so.labelSelector === undefined)) {
    issues.push({ path: '/targets/scaledObjects', message: 'set exactly one of names and labelSelector', value: so });
  }
  if (spec.forecast.method === 'holt-winters' && spec.forecast.seasonLength === undefined) {
    issues.push({ path: '/forecast/seasonLength', message: 'holt-winters needs a seasonLength', value: spec.forecast });
  }
  const durations: [string, string | undefined][] = [
    ['/observationWindow', spec.observationWindow],
    ['/forecast/horizon', spec.forecast.horizon],
    ['/forecast/seasonLength', spec.forecast.seasonLength],
    ['/hysteresis/restoreAfter', spec.hysteresis.restoreAfter],
    ['/hysteresis/minActionInterval', spec.hysteresis.minActionInterval],
  ];
  for (const [path, text] of durations) {
    if (text !== undefined && !(Number(parseDurationMs(text)) > 0)) issues.push({ path, message: 'expected a positive duration like 30s or 4h', value: text });
  }
  const gpu = spec.targets.gpuPowerLimits;
  if (gpu !== undefined && gpu.stepW > gpu.floorW) {
    issues.push({ path: '/targets/gpuPowerLimits/stepW', message: 'a step larger than the floor is almost certainly a typo', value: gpu.stepW });
  }
  return issues;
}

function ms(text: string): number {
  return parseDurationMs(text) ?? 0;
}
