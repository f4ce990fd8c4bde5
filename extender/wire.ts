// The kube-scheduler extender wire format (k8s.io/kube-scheduler/extender/v1, types.go). Those Go
// types have no JSON tags, so the scheduler sends Go field names (PascalCase); the Pod and Node
// objects inside are ordinary camelCase Kubernetes objects. Nil pointers arrive as `null`
// (`"NodeNames": null` when nodeCacheCapable is false), so every optional field also accepts null.
// Unknown fields are allowed on purpose: Kubernetes adds fields over releases and Go ignores them.
import Type, { type Static } from 'typebox';

const Labels = Type.Record(Type.String(), Type.String());
const Quantities = Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()]));

const Container = Type.Object({
  resources: Type.Optional(
    Type.Object({
      requests: Type.Optional(Type.Union([Quantities, Type.Null()])),
      limits: Type.Optional(Type.Union([Quantities, Type.Null()])),
    }),
  ),
});

/** The part of a v1.Pod the extender reads; everything else passes through unchecked. */
export const PodSchema = Type.Object({
  metadata: Type.Optional(
    Type.Object({
      name: Type.Optional(Type.String()),
      namespace: Type.Optional(Type.String()),
      uid: Type.Optional(Type.String()),
      annotations: Type.Optional(Type.Union([Labels, Type.Null()])),
    }),
  ),
  spec: Type.Optional(
    Type.Object({
      nodeSelector: Type.Optional(Type.Union([Labels, Type.Null()])),
      containers: Type.Optional(Type.Union([Type.Array(Container), Type.Null()])),
      initContainers: Type.Optional(Type.Union([Type.Array(Container), Type.Null()])),
    }),
  ),
});

/** The part of a v1.Node the extender reads: its name and labels. */
export const NodeSchema = Type.Object({
  metadata: Type.Object({
    name: Type.String({ minLength: 1 }),
    labels: Type.Optional(Type.Union([Labels, Type.Null()])),
  }),
});
export type WireNode = Static<typeof NodeSchema>;

/** ExtenderArgs: Pod plus either Nodes (nodeCacheCapable false) or NodeNames (true). */
export const ExtenderArgsSchema = Type.Object({
  Pod: PodSchema,
  Nodes: Type.Optional(Type.Union([Type.Object({ items: Type.Union([Type.Array(NodeSchema), Type.Null()]) }), Type.Null()])),
  NodeNames: Type.Optional(Type.Union([Type.Array(Type.String({ minLength: 1 })), Type.Null()])),
});
export type ExtenderArgs = Static<typeof ExtenderArgsSchema>;

const FailedNodesMap = Type.Record(Type.String(), Type.String());

/**
 * ExtenderFilterResult. Nodes items are echoed back as received (the scheduler matches them by
 * name), so they are declared Unknown and serialised verbatim.
 */
export const ExtenderFilterResultSchema = Type.Object({
  Nodes: Type.Optional(Type.Object({ items: Type.Array(Type.Unknown()) })),
  NodeNames: Type.Optional(Type.Array(Type.String())),
  FailedNodes: FailedNodesMap,
  FailedAndUnresolvableNodes: FailedNodesMap,
  Error: Type.String(),
});
export type ExtenderFilterResult = Static<typeof ExtenderFilterResultSchema>;

/** HostPriorityList: integer scores 0..MaxExtenderPriority (10). */
export const HostPriorityListSchema = Type.Array(
  Type.Object({ Host: Type.String(), Score: Type.Integer({ minimum: 0, maximum: 10 }) }),
);
export type HostPriorityList = Static<typeof HostPriorityListSchema>;

export const ExtenderBindingArgsSchema = Type.Object({
  PodName: Type.String({ minLength: 1 }),
  PodNamespace: Type.String({ minLength: 1 }),
  PodUID: Type.String(),
  Node: Type.String({ minLength: 1 }),
});
export type ExtenderBindingArgs = Static<typeof ExtenderBindingArgsSchema>;

export const ExtenderBindingResultSchema = Type.Object({ Error: Type.String() });
export type ExtenderBindingResult = Static<typeof ExtenderBindingResultSchema>;

/** Our 400 body: what is wrong, a stable code, and one entry per offending field. */
export const BadRequestSchema = Type.Object({
  error: Type.String(),
  code: Type.String(),
  issues: Type.Array(Type.Object({ path: Type.String(), message: Type.String(), value: Type.Optional(Type.Unknown()) })),
});
export type BadRequest = Static<typeof BadRequestSchema>;
