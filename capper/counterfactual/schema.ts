// TypeBox schemas of what the counterfactual report keeps in the policy status: the outcome record
// of each recommendation (status.outcomes) and the summary (status.counterfactual). policy-schema.ts
// puts them into PolicyStatusSchema, so the CRD, the capper and `climatik report` check one shape.
import Type, { type Static } from 'typebox';
import type { CounterfactualSummary } from './types.js';

/** Running aggregates of one side (with or without the actions) of one outcome record. */
export const OutcomeSideSchema = Type.Object(
  {
    seconds: Type.Number({ minimum: 0, description: 'time followed, s' }),
    measuredSeconds: Type.Number({ minimum: 0, description: 'part of it observed by telemetry (the rest is modelled), s' }),
    energyWh: Type.Number({ minimum: 0 }),
    peakPowerW: Type.Number({ minimum: 0 }),
    capBreachSeconds: Type.Number({ minimum: 0 }),
  },
  { additionalProperties: false },
);
export type OutcomeSide = Static<typeof OutcomeSideSchema>;

export const OutcomeRecordSchema = Type.Object(
  {
    rack: Type.String(),
    time: Type.String({ description: 'RFC 3339: when the recommendation was published' }),
    until: Type.String({ description: 'RFC 3339: end of the follow window (fixed length, or the rack\'s next recommendation)' }),
    capW: Type.Number(),
    actions: Type.Array(Type.String(), { description: '"kind target value" of each power action of the recommendation' }),
    effectW: Type.Number({ maximum: 0, description: 'modelled change of rack power when the actions are in effect, W (negative)' }),
    floorW: Type.Number({ minimum: 0, description: 'lowest rack power the model lets the actions reach (GPUs idle), W' }),
    servedWithPercent: Type.Number({ minimum: 0, maximum: 100, description: 'modelled share of the rack\'s load served with the actions' }),
    servedWithoutPercent: Type.Number({ minimum: 0, maximum: 100, description: 'modelled share served without them (earlier caps stay)' }),
    taken: Type.Boolean({ description: 'applied: by Enforce or after an approval, within the follow window' }),
    takenTime: Type.Optional(Type.String()),
    recovered: Type.Optional(Type.Boolean({ description: 'the rack went back under its cap since; the same actions again are a new recommendation' })),
    closed: Type.Boolean({ description: 'follow window over, every sample folded' }),
    lastSample: Type.Optional(
      Type.Object({ time: Type.String(), powerW: Type.Number() }, { additionalProperties: false, description: 'newest sample folded, held until the next one' }),
    ),
    withActions: OutcomeSideSchema,
    withoutActions: OutcomeSideSchema,
  },
  { additionalProperties: false },
);
export type OutcomeRecord = Static<typeof OutcomeRecordSchema>;

const BasisSchema = Type.Union([Type.Literal('measured'), Type.Literal('estimated'), Type.Literal('mixed'), Type.Literal('simulated')]);

// The fields of types.ts's CounterfactualSide plus its basis; spelled out (no intersection) because
// the CRD's structural schema has no allOf.
const SideSchema = Type.Object(
  {
    meanPowerW: Type.Number(),
    peakPowerW: Type.Number(),
    capBreachSeconds: Type.Number(),
    servedPercent: Type.Number(),
    energyKWh: Type.Number(),
    basis: BasisSchema,
  },
  { additionalProperties: false },
);

export const CounterfactualSummarySchema = Type.Object(
  {
    from: Type.String(),
    to: Type.String(),
    recommendations: Type.Integer({ minimum: 0 }),
    taken: Type.Integer({ minimum: 0 }),
    withActions: SideSchema,
    withoutActions: SideSchema,
    verdict: Type.String(),
  },
  { additionalProperties: false, description: 'with vs without the recommended actions (see `climatik report`)' },
);

// Compile-time guard: the schema and the hand-written interface in types.ts (shared with the
// simulator) must describe the same object; a field added to one and not the other fails tsc here.
// Keys are compared too, so an optional field added to one side only is caught as well.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? ([keyof A] extends [keyof B] ? ([keyof B] extends [keyof A] ? true : false) : false) : false) : false;
type Summary = Static<typeof CounterfactualSummarySchema>;
export const SUMMARY_SCHEMA_MATCHES_TYPES: Same<Summary, CounterfactualSummary> &
  Same<Summary['withActions'], CounterfactualSummary['withActions']> = true;
