// The PowerCappingPolicy custom resource (climatik.io/v1alpha1), declared once: the TypeBox schemas
// give the runtime check, the TypeScript types and (through crd.ts) the CRD's OpenAPI schema.
// Cross-field rules the schema cannot express (cap XOR, durations that parse) live in
// policy-validate.ts and, for the API server, in the CEL rules below.
import Type, { type Static } from 'typebox';
import { CounterfactualSummarySchema, OutcomeRecordSchema } from './counterfactual/schema.js';

export const POLICY_GROUP = 'climatik.io';
export const POLICY_VERSION = 'v1alpha1';
export const POLICY_KIND = 'PowerCappingPolicy';
export const POLICY_PLURAL = 'powercappingpolicies';
export const POLICY_API_VERSION = `${POLICY_GROUP}/${POLICY_VERSION}`;

/** Annotations and finalizer the capper and node agent own. */
export const ANNOTATIONS = {
  gpuPowerLimitW: 'climatik.io/gpu-power-limit-watts',
  gpuPowerLimitApplied: 'climatik.io/gpu-power-limit-applied',
  gpuPowerLimitBy: 'climatik.io/gpu-power-limit-by',
  originalMaxReplicaCount: 'climatik.io/original-max-replica-count',
  cappedMaxReplicaCount: 'climatik.io/capped-max-replica-count',
  cappedBy: 'climatik.io/capped-by',
  podDeletionCost: 'controller.kubernetes.io/pod-deletion-cost',
  podDeletionCostBy: 'climatik.io/pod-deletion-cost-by',
} as const;
export const FINALIZER = 'climatik.io/restore-caps';

const DURATION_PATTERN = '^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$';
const Duration = (description: string, defaultValue?: string) =>
  Type.String({ pattern: DURATION_PATTERN, description, ...(defaultValue === undefined ? {} : { default: defaultValue }) });

export const PolicyModeSchema = Type.Union([Type.Literal('Observe'), Type.Literal('Recommend'), Type.Literal('Enforce')], {
  description: 'Observe: report rack state only. Recommend: compute and publish actions, apply none. Enforce: apply them.',
  default: 'Observe',
});
export type PolicyMode = Static<typeof PolicyModeSchema>;

export const StrategySchema = Type.Union([Type.Literal('PowerOversubscription'), Type.Literal('PerformancePerWatt')], {
  description:
    'PowerOversubscription: lower GPU limits only as far as the excess needs. PerformancePerWatt: first step goes straight to the efficiency knee.',
  default: 'PowerOversubscription',
});
export type Strategy = Static<typeof StrategySchema>;

export const ForecastMethodSchema = Type.Union(
  [Type.Literal('off'), Type.Literal('last-value'), Type.Literal('holt'), Type.Literal('holt-winters')],
  { description: 'how rack power is projected over the horizon', default: 'holt' },
);
export type ForecastMethod = Static<typeof ForecastMethodSchema>;

const LabelSelectorSchema = Type.Object(
  {
    matchLabels: Type.Optional(Type.Record(Type.String(), Type.String())),
    matchExpressions: Type.Optional(
      Type.Array(
        Type.Object(
          {
            key: Type.String({ minLength: 1 }),
            operator: Type.Union([Type.Literal('In'), Type.Literal('NotIn'), Type.Literal('Exists'), Type.Literal('DoesNotExist')]),
            values: Type.Optional(Type.Array(Type.String())),
          },
          { additionalProperties: false },
        ),
      ),
    ),
  },
  { additionalProperties: false },
);
export type LabelSelector = Static<typeof LabelSelectorSchema>;

export const PolicySpecSchema = Type.Object(
  {
    mode: PolicyModeSchema,
    racks: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), { description: 'rack ids of the topology this policy guards; empty or absent = all' }),
    ),
    capPercentOfBudget: Type.Optional(
      Type.Number({ exclusiveMinimum: 0, maximum: 100, description: 'cap as a percentage of each rack\'s power budget' }),
    ),
    capWatts: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'cap in watts, the same for every guarded rack' })),
    observationWindow: Duration('history over which rack power is judged and the forecast fitted', '4h'),
    targets: Type.Object(
      {
        scaledObjects: Type.Optional(
          Type.Object(
            {
              names: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
              labelSelector: Type.Optional(LabelSelectorSchema),
            },
            { additionalProperties: false, description: 'KEDA ScaledObjects in the policy namespace whose maxReplicaCount may be lowered' },
          ),
        ),
        gpuPowerLimits: Type.Optional(
          Type.Object(
            {
              enabled: Type.Boolean({ default: false }),
              floorW: Type.Number({ exclusiveMinimum: 0, default: 150, description: 'never set a per-GPU limit below this, W' }),
              stepW: Type.Number({ exclusiveMinimum: 0, default: 25, description: 'per-GPU change per action, W' }),
              kneePercentOfDefault: Type.Number({
                exclusiveMinimum: 0,
                maximum: 100,
                default: 70,
                description: 'PerformancePerWatt: per-GPU limit (percent of default) down to which throughput per watt still improves',
              }),
            },
            { additionalProperties: false },
          ),
        ),
      },
      { additionalProperties: false },
    ),
    forecast: Type.Object(
      {
        method: ForecastMethodSchema,
        horizon: Duration('how far ahead the forecast must stay under the cap', '5m'),
        seasonLength: Type.Optional(Duration('holt-winters season (e.g. 24h)')),
        upperBandSigmas: Type.Number({
          minimum: 0,
          maximum: 5,
          default: 1,
          description: 'compare the cap with the forecast plus this many one-step RMS errors (0 = point forecast)',
        }),
      },
      { additionalProperties: false, default: { method: 'holt', horizon: '5m', upperBandSigmas: 1 } },
    ),
    strategy: StrategySchema,
    hysteresis: Type.Object(
      {
        restoreBelowPercentOfCap: Type.Number({
          exclusiveMinimum: 0,
          maximum: 100,
          default: 90,
          description: 'caps are given back only while measured and forecast power stay below this share of the cap',
        }),
        restoreAfter: Duration('how long the rack must stay below that level before the first restore', '5m'),
        minActionInterval: Duration('rate limit: at most one change per target per interval', '30s'),
      },
      { additionalProperties: false, default: { restoreBelowPercentOfCap: 90, restoreAfter: '5m', minActionInterval: '30s' } },
    ),
  },
  {
    additionalProperties: false,
    'x-kubernetes-validations': [
      { rule: 'has(self.capPercentOfBudget) != has(self.capWatts)', message: 'set exactly one of capPercentOfBudget and capWatts' },
    ],
  },
);
export type PolicySpec = Static<typeof PolicySpecSchema>;

export const ConditionSchema = Type.Object(
  {
    type: Type.String(),
    status: Type.Union([Type.Literal('True'), Type.Literal('False'), Type.Literal('Unknown')]),
    reason: Type.String(),
    message: Type.String(),
    lastTransitionTime: Type.String(),
  },
  { additionalProperties: false },
);
export type Condition = Static<typeof ConditionSchema>;

export const RackStateSchema = Type.Union([
  Type.Literal('UnderCap'),
  Type.Literal('OverCap'),
  Type.Literal('ForecastOverCap'),
  Type.Literal('Recovering'),
  Type.Literal('Unknown'),
]);
export type RackState = Static<typeof RackStateSchema>;

export const RackStatusSchema = Type.Object(
  {
    id: Type.String(),
    state: RackStateSchema,
    capW: Type.Number(),
    measuredW: Type.Optional(Type.Number()),
    forecastW: Type.Optional(Type.Number()),
  },
  { additionalProperties: false },
);
export type RackStatus = Static<typeof RackStatusSchema>;

export const ActionRecordSchema = Type.Object(
  {
    kind: Type.String(),
    target: Type.String({ description: 'Node name, namespace/ScaledObject or namespace/Pod' }),
    value: Type.Optional(Type.Number()),
    rack: Type.Optional(Type.String()),
    reason: Type.String(),
    time: Type.String(),
    approvedBy: Type.Optional(Type.String({ description: 'Recommend mode: the Slack user who approved this action (name and id)' })),
  },
  { additionalProperties: false },
);
export type ActionRecord = Static<typeof ActionRecordSchema>;

export const PolicyStatusSchema = Type.Object(
  {
    observedGeneration: Type.Optional(Type.Integer()),
    conditions: Type.Optional(Type.Array(ConditionSchema)),
    racksOverCap: Type.Optional(Type.Integer({ minimum: 0 })),
    activeActions: Type.Optional(Type.Integer({ minimum: 0, description: 'targets currently capped by this policy' })),
    racks: Type.Optional(Type.Array(RackStatusSchema)),
    recommendedActions: Type.Optional(Type.Array(ActionRecordSchema)),
    appliedActions: Type.Optional(Type.Array(ActionRecordSchema, { description: 'most recent applied actions, newest last' })),
    lastActionTime: Type.Optional(
      Type.Record(Type.String(), Type.String(), { description: 'rate limiting: target key -> RFC 3339 time of its last change' }),
    ),
    belowRestoreSince: Type.Optional(
      Type.Record(Type.String(), Type.String(), { description: 'hysteresis: rack id -> since when it has stayed below the restore level' }),
    ),
    outcomes: Type.Optional(
      Type.Array(OutcomeRecordSchema, { description: 'counterfactual report: what each rack did after its recent recommendations, newest last' }),
    ),
    counterfactual: Type.Optional(CounterfactualSummarySchema),
  },
  { additionalProperties: false },
);
export type PolicyStatus = Static<typeof PolicyStatusSchema>;

/** A policy object as read from the API server (metadata kept loose: the API server owns it). */
export interface PolicyObject {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace: string;
    readonly generation?: number;
    readonly uid?: string;
    readonly resourceVersion?: string;
    readonly deletionTimestamp?: string | Date;
    readonly finalizers?: readonly string[];
  };
  readonly spec: PolicySpec;
  readonly status?: PolicyStatus;
}
