// The shape of GET /ui/status.json, declared once: fastify serializes with it and the page reads it.
import Type, { type Static } from 'typebox';
import { ActionRecordSchema, ConditionSchema, RackStatusSchema } from '../../capper/policy-schema.js';

const Nullable = <T extends Type.TSchema>(t: T) => Type.Union([t, Type.Null()]);

export const RackViewSchema = Type.Object({
  id: Type.String(),
  row: Type.String({ description: 'topology row, or "" when the topology names none' }),
  position: Nullable(Type.Integer()),
  powerW: Type.Number({ description: 'measured rack power, or the nameplate when the sample is stale or missing' }),
  powerStale: Type.Boolean(),
  powerNote: Type.String({ description: 'why the power is a fallback; "" when measured' }),
  powerBudgetW: Type.Number(),
  nameplateW: Type.Number(),
  inletC: Nullable(Type.Number()),
  inletStale: Type.Boolean(),
  targetW: Nullable(Type.Number({ description: "the plan's target allocation for this rack" })),
  nodes: Type.Integer({ minimum: 0 }),
});
export type RackView = Static<typeof RackViewSchema>;

export const RowViewSchema = Type.Object({ row: Type.String(), racks: Type.Array(RackViewSchema) });

const FailedSchema = Type.Object({ node: Type.String(), reason: Type.String(), unresolvable: Type.Boolean() });
export const DecisionSchema = Type.Union([
  Type.Object({
    verb: Type.Literal('filter'),
    atMs: Type.Number(),
    pod: Type.String(),
    passedCount: Type.Integer(),
    passed: Type.Array(Type.String()),
    failedCount: Type.Integer(),
    failed: Type.Array(FailedSchema),
    error: Type.String(),
  }),
  Type.Object({ verb: Type.Literal('bind'), atMs: Type.Number(), pod: Type.String(), node: Type.String(), error: Type.String() }),
]);

export const PolicyViewSchema = Type.Object({
  namespace: Type.String(),
  name: Type.String(),
  mode: Type.String(),
  /** Set when the status does not match the capper's schema (shown instead of the details). */
  problem: Type.String(),
  racksOverCap: Nullable(Type.Integer()),
  activeActions: Nullable(Type.Integer()),
  racks: Type.Array(RackStatusSchema),
  recommendedActions: Type.Array(ActionRecordSchema),
  appliedActions: Type.Array(ActionRecordSchema),
  conditions: Type.Array(ConditionSchema),
});
export type PolicyView = Static<typeof PolicyViewSchema>;

export const StatusSchema = Type.Object({
  generatedAtMs: Type.Number(),
  topologyLoaded: Type.Boolean(),
  supplyTemperatureC: Nullable(Type.Number()),
  redlineInletC: Nullable(Type.Number()),
  rows: Type.Array(RowViewSchema),
  telemetry: Nullable(Type.Object({ takenAtMs: Type.Number(), problems: Type.Array(Type.String()) })),
  plan: Nullable(
    Type.Object({ planner: Type.String(), feasible: Type.Boolean(), computedAtMs: Type.Number(), reason: Type.String(), warnings: Type.Array(Type.String()) }),
  ),
  decisions: Type.Array(DecisionSchema),
  capper: Type.Object({
    source: Type.String({ description: '"none" offline, else the policy source kind' }),
    error: Type.String(),
    policies: Type.Array(PolicyViewSchema),
  }),
});
export type Status = Static<typeof StatusSchema>;
