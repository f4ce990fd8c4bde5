// The topology document of the example: two racks, a measured 2x2 matrix, one rack with
// explicit nodes. A fresh copy each call, so a test may edit it.
export type TopologyDoc = Record<string, unknown> & {
  racks: Record<string, unknown>[];
  heatRecirculation: Record<string, unknown> & { matrixCPerKW?: number[][] };
};

export function measuredTopologyDoc(): TopologyDoc {
  return {
    apiVersion: 'climatik.io/v1alpha1',
    kind: 'RackTopology',
    supplyTemperatureC: 18,
    redlineInletC: 27,
    racks: [
      { id: 'r01', powerBudgetW: 30000, nodes: ['gpu-a01', 'gpu-a02'] },
      { id: 'r02', powerBudgetW: 30000 },
    ],
    heatRecirculation: { matrixCPerKW: [[0.3, 0.1], [0.12, 0.25]] },
  };
}
