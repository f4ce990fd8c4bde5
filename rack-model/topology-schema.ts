// The RackTopology document operators write (ConfigMap key `topology.yaml`). Declared once: the
// TypeBox schema gives both the runtime check and the TypeScript type. Cross-field rules (unique
// ids, matrix size, redline above supply, ...) live in topology-validate.ts.
import Type, { type Static } from 'typebox';

export const DEFAULT_RACK_LABEL = 'topology.climatik.io/rack';
export const TOPOLOGY_API_VERSION = 'climatik.io/v1alpha1';

export const RackSpecSchema = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 63, description: 'rack id, unique in the topology' }),
    powerBudgetW: Type.Number({ exclusiveMinimum: 0, description: 'PDU / circuit budget for the whole rack, W' }),
    nameplateW: Type.Optional(
      Type.Number({ exclusiveMinimum: 0, description: 'sum of the nodes\' nameplate power, W (conservative fallback)' }),
    ),
    nodes: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: 'explicit node names; otherwise nodes carry rackLabel' })),
    row: Type.Optional(Type.String({ minLength: 1, description: 'row id, for the generated recirculation matrix' })),
    position: Type.Optional(Type.Integer({ minimum: 0, description: 'slot in the row (0 = one end), for the generated matrix' })),
  },
  { additionalProperties: false },
);
export type RackSpec = Static<typeof RackSpecSchema>;

export const GeneratedRecirculationSchema = Type.Object(
  {
    model: Type.Literal('row-layout'),
    /** °C per kW a rack adds to its own inlet (exhaust wrapping over the top of the rack). */
    selfCPerKW: Type.Optional(Type.Number({ minimum: 0, default: 0.2 })),
    /** °C per kW to a direct neighbour in the same row; decays by `decay` per further hop. */
    neighbourCPerKW: Type.Optional(Type.Number({ minimum: 0, default: 0.08 })),
    /** °C per kW to racks in the facing row across a shared hot aisle (when rows face each other). */
    acrossAisleCPerKW: Type.Optional(Type.Number({ minimum: 0, default: 0.03 })),
    decay: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1, default: 0.5 })),
    /** Multiplier on the inlet sensitivity of end-of-row racks (air wraps around the row end). */
    endOfRowFactor: Type.Optional(Type.Number({ minimum: 1, default: 1.5 })),
    /** Pairs of row ids that share a hot aisle. */
    hotAislePairs: Type.Optional(Type.Array(Type.Tuple([Type.String(), Type.String()]), { default: [] })),
    /** Graph distance of one hop across a shared hot aisle, in rack slots (1 = as close as a neighbour). */
    aisleHopSlots: Type.Optional(Type.Number({ exclusiveMinimum: 0, default: 1 })),
  },
  { additionalProperties: false },
);
export type GeneratedRecirculation = Static<typeof GeneratedRecirculationSchema>;

export const HeatRecirculationSchema = Type.Object(
  {
    /** row i = inlet that warms, column j = rack whose exhaust causes it; °C per kW; racks in list order. */
    matrixCPerKW: Type.Optional(Type.Array(Type.Array(Type.Number()))),
    /** Rack ids in the matrix's row/column order, when it differs from the order of `racks`. */
    rackOrder: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
    generated: Type.Optional(GeneratedRecirculationSchema),
  },
  { additionalProperties: false },
);

export const RackTopologySchema = Type.Object(
  {
    apiVersion: Type.Literal(TOPOLOGY_API_VERSION),
    kind: Type.Literal('RackTopology'),
    supplyTemperatureC: Type.Number({ description: 'CRAC supply air temperature, °C' }),
    redlineInletC: Type.Number({ description: 'highest allowed rack inlet temperature, °C' }),
    rackLabel: Type.Optional(Type.String({ minLength: 1, default: DEFAULT_RACK_LABEL })),
    racks: Type.Array(RackSpecSchema, { minItems: 1 }),
    heatRecirculation: HeatRecirculationSchema,
  },
  { additionalProperties: false },
);
export type RackTopologyDocument = Static<typeof RackTopologySchema>;
