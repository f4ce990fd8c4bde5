// The simulation scenario document (YAML or JSON), declared once: the schema gives the runtime check,
// the defaults and the TypeScript type. Paths inside are relative to the scenario file.
import Type, { type Static } from 'typebox';
import { PolicySpecSchema } from '../capper/policy-schema.js';

export const POLICY_NAMES = ['default-spread', 'bin-pack', 'random', 'min-hr', 'climatik', 'lp-bound'] as const;
export type PolicyName = (typeof POLICY_NAMES)[number];

const Positive = (description: string, def?: number) =>
  Type.Number({ exclusiveMinimum: 0, description, ...(def === undefined ? {} : { default: def }) });
const NonNegative = (description: string, def?: number) => Type.Number({ minimum: 0, description, ...(def === undefined ? {} : { default: def }) });
const Count = (description: string, def?: number) => Type.Integer({ minimum: 1, description, ...(def === undefined ? {} : { default: def }) });

export const AutoscalerSchema = Type.Object(
  {
    targetConcurrencyPerReplica: Positive('in-flight requests per replica the autoscaler aims for', 16),
    minReplicas: Count('ScaledObject minReplicaCount', 1),
    maxReplicas: Count('ScaledObject maxReplicaCount', 100),
    pollingIntervalS: Positive('KEDA pollingInterval / HPA sync, s', 15),
    scaleDownStabilisationS: NonNegative('HPA scale-down stabilization window, s', 300),
    tolerance: NonNegative('HPA tolerance', 0.1),
  },
  { additionalProperties: false, default: {} },
);

export const ServiceSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$' }),
    namespace: Type.String({ minLength: 1, default: 'llm' }),
    trace: Type.String({ minLength: 1, description: 'trace file, relative to the scenario' }),
    loadScale: Positive('request-rate multiplier applied to the trace', 1),
    stretch: Positive('time multiplier applied to the trace', 1),
    copyWindowS: NonNegative('window the extra copies of a scaled request are spread over, s', 10),
    gpusPerReplica: Count('GPUs per replica (tensor-parallel degree)'),
    cpuMillicoresPerReplica: Count('CPU request per replica, millicores'),
    memoryMiBPerReplica: Count('memory request per replica, MiB'),
    prefillTokensPerS: Positive('prompt tokens per second per replica at the default power limit'),
    decodeBaseIterationMs: Positive('decode iteration time at batch 0, ms'),
    decodePerSequenceMs: NonNegative('extra decode iteration time per sequence in the batch, ms'),
    maxBatch: Count('most sequences decoding at once'),
    startupS: NonNegative('model load time of a new replica, s', 90),
    initialReplicas: Type.Optional(Count('replicas running (warm) at the start; default minReplicas')),
    autoscaler: AutoscalerSchema,
  },
  { additionalProperties: false },
);
export type ServiceSpec = Static<typeof ServiceSchema>;

export const ScenarioSchema = Type.Object(
  {
    apiVersion: Type.Literal('climatik.io/v1alpha1'),
    kind: Type.Literal('SimulationScenario'),
    description: Type.Optional(Type.String()),
    topology: Type.String({ minLength: 1, description: 'RackTopology file, relative to the scenario' }),
    stepS: Positive('simulation step, s', 1),
    durationS: Type.Optional(Positive('simulated time, s; default: the (shaped) trace length')),
    seed: Type.Integer({ default: 1 }),
    policies: Type.Array(Type.Union(POLICY_NAMES.map((p) => Type.Literal(p))), { minItems: 1, default: [...POLICY_NAMES] }),
    sampleIntervalS: Positive('report series resolution, s', 60),
    node: Type.Object(
      {
        nodesPerRack: Count('GPU nodes per rack when the topology lists no node names', 4),
        gpus: Count('GPUs per node', 8),
        cpuMillicores: Count('allocatable CPU, millicores', 224_000),
        memoryMiB: Count('allocatable memory, MiB', 2_000_000),
        hostIdleW: NonNegative('host power with GPUs idle, GPUs excluded, W', 1500),
        hostDynamicFraction: NonNegative('host W added per GPU W above idle', 0.25),
      },
      { additionalProperties: false, default: {} },
    ),
    gpu: Type.Object(
      {
        model: Type.String({ default: 'NVIDIA-H100-80GB-HBM3' }),
        idleW: NonNegative('W', 75),
        prefillW: Positive('W', 700),
        decodeW: Positive('W', 380),
        maxLimitW: Positive('default power limit, W', 700),
        minLimitW: Positive('lowest settable limit, W', 200),
        capSlowdownExponent: NonNegative('slowdown = (natural W / limit)^exponent', 0.74),
      },
      { additionalProperties: false, default: {} },
    ),
    room: Type.Object(
      {
        timeConstantS: NonNegative('first-order lag of inlet temperatures, s (0 = none)', 240),
        controlMarginC: NonNegative('CRAC keeps the hottest inlet this far under the red line, °C', 0.5),
      },
      { additionalProperties: false, default: {} },
    ),
    telemetry: Type.Object(
      { scrapeIntervalS: Positive('how often rack power is sampled for the extender and capper, s', 15) },
      { additionalProperties: false, default: {} },
    ),
    services: Type.Array(ServiceSchema, { minItems: 1 }),
    climatik: Type.Object(
      {
        extenderWeight: Positive('extender weight in the climatik scheduler profile (scheduler-config/: 10)', 10),
        wattsPerGpu: Positive('the extender\'s expected power per GPU, W', 700),
        planner: Type.Union([Type.Literal('lp'), Type.Literal('greedy')], { default: 'lp' }),
        capping: Type.Optional(PolicySpecSchema),
        capperIntervalS: Positive('capper reconcile period, s', 15),
        gpuLimitApplyDelayS: NonNegative('node agent delay before a new GPU limit is enforced, s', 5),
        ledgerUntilReady: Type.Boolean({
          default: false,
          description: 'experiment: keep a bound pod in the extender ledger until it serves (the product keeps it until the next sample)',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false },
);
export type ScenarioDocument = Static<typeof ScenarioSchema>;
