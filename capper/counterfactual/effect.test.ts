import t from 'tap';
import { prefillSlowdown } from '../../rack-model/index.js';
import { node, pods, scaledObject, snapshot } from '../decisions/test-fixtures.js';
import type { Action, CurrentTargets } from '../decisions/types.js';
import { actionEffectW, gpuServedShare, gpuSpecOf, PREFILL_SHARE, rackEffect, type EffectContext } from './effect.js';

// rack-a: a1 + a2, 4 GPUs each (default 400 W, min 150 W); the service llm runs 6 replicas in rack-a, 2 in rack-b.
const so = scaledObject();
const targets = (a1Limit?: number, gpus = true): CurrentTargets => ({
  nodes: [node('a1', 'rack-a', a1Limit), gpus ? node('a2', 'rack-a') : { ...node('a2', 'rack-a'), gpus: undefined }, node('b1', 'rack-b')],
  scaledObjects: [so],
  pods: pods(so),
});
const ctx = (parts: Partial<EffectContext> = {}): EffectContext => ({ rackId: 'rack-a', targets: targets(), snapshot: snapshot({ 'rack-a': 9600 }), rackMeasuredW: 9600, ...parts });
const gpu = (n: string, limitW: number): Action => ({ kind: 'SetGpuPowerLimit', node: n, rackId: 'rack-a', limitW, reason: '' });
const replicas = (max: number): Action => ({ kind: 'SetMaxReplicas', namespace: 'ml', name: 'llm', rackId: 'rack-a', maxReplicaCount: max, originalMaxReplicaCount: 10, reason: '' });
// What a 400 W GPU serves under a limit, by the simulator's model: prefill slowed, decode (217 W) only below its draw.
const share400 = (limitW: number) => 1 / (PREFILL_SHARE * (400 / limitW) ** 0.74 + (1 - PREFILL_SHARE) * Math.max(1, ((400 * 380) / 700 / limitW) ** 0.74));

void t.test('the model moved to rack-model still gives the published H100 figure: a 70 % cap slows prefill 1.30x', async (t) => {
  const h100 = gpuSpecOf({ gpuCount: 8, defaultLimitW: 700, minLimitW: 200, maxLimitW: 700 });
  t.same(h100, { idleW: 75, prefillW: 700, decodeW: 380, maxLimitW: 700, minLimitW: 200, capSlowdownExponent: 0.74 });
  t.equal(Math.round(prefillSlowdown(h100, 490) * 100) / 100, 1.3);
  t.equal(gpuServedShare(h100, 700), 1, 'no limit, nothing lost');
});

void t.test('power effect of each action: the estimate the decisions sized it with', async (t) => {
  const podW = Object.fromEntries(pods(so).map((p) => [`${p.namespace}/${p.name}`, 1500]));
  const cases: [string, Action, EffectContext, number][] = [
    ['GPU step from the default limit: 100 W x 4 GPUs', gpu('a1', 300), ctx(), -400],
    ['GPU step on an already capped node counts from its current limit', gpu('a1', 275), ctx({ targets: targets(300) }), -100],
    ['node without an agent report: unknown, no effect claimed', gpu('a2', 300), ctx({ targets: targets(undefined, false) }), 0],
    ['replica ceiling 10 -> 7 with 8 running: one replica at its measured 1.5 kW', replicas(7), ctx({ snapshot: snapshot({ 'rack-a': 9600 }, { podW }) }), -1500],
    ['replica ceiling without pod power: the rack\'s 9.6 kW over its 6 replicas', replicas(7), ctx(), -1600],
    ['ceiling above what runs removes nothing', replicas(9), ctx(), 0],
    ['deletion cost moves no power', { kind: 'SetPodDeletionCost', namespace: 'ml', name: 'p', rackId: 'rack-a', cost: -100, reason: '' }, ctx(), 0],
  ];
  for (const [name, action, c, want] of cases) t.equal(actionEffectW(action, c), want, name);
});

void t.test('served share of the rack with and without a recommendation', async (t) => {
  const pct = (share: number) => Math.round(share * 1000) / 10;
  const cases: [string, Action[], EffectContext, { effectW: number; servedWithPercent: number; servedWithoutPercent: number }][] = [
    ['GPU limits 300 W on both nodes', [gpu('a1', 300), gpu('a2', 300)], ctx(), { effectW: -800, servedWithPercent: pct(share400(300)), servedWithoutPercent: 100 }],
    [
      'one node already at 300 W goes to 250 W, the other untouched',
      [gpu('a1', 250)],
      ctx({ targets: targets(300) }),
      { effectW: -200, servedWithPercent: pct((share400(250) + 1) / 2), servedWithoutPercent: pct((share400(300) + 1) / 2) },
    ],
    ['GPU limit at the floor also slows decode', [gpu('a1', 150), gpu('a2', 150)], ctx(), { effectW: -2000, servedWithPercent: pct(share400(150)), servedWithoutPercent: 100 }],
    ['replica ceiling 10 -> 6 with 8 wanted: 6/8 of the service', [replicas(6)], ctx(), { effectW: -3200, servedWithPercent: 75, servedWithoutPercent: 100 }],
    [
      'both: GPU limits and one replica fewer multiply',
      [gpu('a1', 300), gpu('a2', 300), replicas(7)],
      ctx(),
      { effectW: -2400, servedWithPercent: pct(share400(300) * (7 / 8)), servedWithoutPercent: 100 },
    ],
  ];
  for (const [name, actions, c, want] of cases) t.match(rackEffect(actions, c), want, name);
  t.ok(share400(150) < share400(300) && share400(300) < 1, 'lower limits serve less');
  t.equal(rackEffect([], ctx()).floorW, Math.round((8 * 400 * 75) / 700), 'floor: the rack\'s 8 GPUs idle');
});
