// Builds the PowerCappingPolicy CRD from the TypeBox schemas, so the API server and the capper
// validate the same shape. TypeBox emits JSON Schema 2020-12; Kubernetes wants an OpenAPI 3.0
// *structural* schema, hence the small translation below (const/anyOf-of-literals → enum, numeric
// exclusiveMinimum → boolean, patternProperties → additionalProperties, no additionalProperties:false).
import { stringify } from 'yaml';
import { POLICY_GROUP, POLICY_KIND, POLICY_PLURAL, POLICY_VERSION, PolicySpecSchema, PolicyStatusSchema } from './policy-schema.js';

type JsonSchema = Record<string, unknown>;

const KEPT_KEYS = new Set([
  'type', 'description', 'default', 'minimum', 'maximum', 'minLength', 'maxLength', 'pattern', 'minItems', 'maxItems',
  'enum', 'x-kubernetes-validations', 'format',
]);

/** Translates one (plain-JSON) TypeBox schema node into an OpenAPI v3 structural schema node. */
export function toStructuralSchema(node: JsonSchema): JsonSchema {
  const out: JsonSchema = {};
  const literals = literalUnion(node);
  if (literals !== undefined) {
    out.type = literals.type;
    out.enum = literals.values;
  }
  for (const [key, value] of Object.entries(node)) {
    if (KEPT_KEYS.has(key) && !(literals !== undefined && (key === 'type' || key === 'enum'))) out[key] = value;
  }
  if ('const' in node) {
    out.enum = [node.const];
    out.type ??= typeof node.const;
  }
  if (Array.isArray(node.enum) && out.type === undefined) out.type = typeof node.enum[0];
  if (typeof node.exclusiveMinimum === 'number') {
    out.minimum = node.exclusiveMinimum;
    out.exclusiveMinimum = true;
  }
  if (typeof node.exclusiveMaximum === 'number') {
    out.maximum = node.exclusiveMaximum;
    out.exclusiveMaximum = true;
  }
  if (isObject(node.properties)) {
    out.properties = Object.fromEntries(Object.entries(node.properties).map(([k, v]) => [k, toStructuralSchema(v as JsonSchema)]));
    if (Array.isArray(node.required) && node.required.length > 0) out.required = node.required;
  }
  if (isObject(node.patternProperties)) {
    const [only] = Object.values(node.patternProperties);
    out.additionalProperties = toStructuralSchema(only as JsonSchema);
  }
  if (isObject(node.items)) out.items = toStructuralSchema(node.items as JsonSchema);
  return out;
}

function literalUnion(node: JsonSchema): { type: string; values: unknown[] } | undefined {
  if (!Array.isArray(node.anyOf)) return undefined;
  const branches = node.anyOf as JsonSchema[];
  if (!branches.every((b) => 'const' in b)) {
    throw new Error(`unions other than literal unions have no structural-schema form: ${JSON.stringify(node)}`);
  }
  const values = branches.map((b) => b.const);
  return { type: typeof values[0], values };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function plain(schema: unknown): JsonSchema {
  return JSON.parse(JSON.stringify(schema)) as JsonSchema;
}

export function buildPolicyCrd(): Record<string, unknown> {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${POLICY_PLURAL}.${POLICY_GROUP}` },
    spec: {
      group: POLICY_GROUP,
      names: { kind: POLICY_KIND, listKind: `${POLICY_KIND}List`, plural: POLICY_PLURAL, singular: 'powercappingpolicy', shortNames: ['pcp'] },
      scope: 'Namespaced',
      versions: [
        {
          name: POLICY_VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: [
            { name: 'Mode', type: 'string', jsonPath: '.spec.mode' },
            { name: 'RacksOverCap', type: 'integer', jsonPath: '.status.racksOverCap' },
            { name: 'Actions', type: 'integer', jsonPath: '.status.activeActions', description: 'targets currently capped' },
            { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
            { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
          ],
          schema: {
            openAPIV3Schema: {
              type: 'object',
              description: 'Keeps racks under a power cap by lowering GPU power limits and KEDA replica ceilings.',
              required: ['spec'],
              properties: {
                apiVersion: { type: 'string' },
                kind: { type: 'string' },
                metadata: { type: 'object' },
                spec: toStructuralSchema(plain(PolicySpecSchema)),
                status: toStructuralSchema(plain(PolicyStatusSchema)),
              },
            },
          },
        },
      ],
    },
  };
}

export function policyCrdYaml(): string {
  return `# Generated from capper/policy-schema.ts by \`climatik capper --print-crd\`. Do not edit by hand.\n${stringify(buildPolicyCrd(), { lineWidth: 0 })}`;
}
