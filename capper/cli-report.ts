// `climatik report --policy NS/NAME [--json]`: the counterfactual report a PowerCappingPolicy's
// capper keeps in its status (what the racks did after each recommendation, and the model of the
// other choice), read from the cluster.
import { ApiException, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import Type from 'typebox';
import { ClimatikError, parseCommandArgs, requireFlag, validator } from '../common/index.js';
import { CounterfactualSummarySchema, OutcomeRecordSchema } from './counterfactual/schema.js';
import { renderOutcomes, renderSummary } from './counterfactual/report-table.js';
import { kubeError } from './kube/patch.js';
import { POLICY_GROUP, POLICY_PLURAL, POLICY_VERSION } from './policy-schema.js';

const USAGE = `usage: climatik report --policy NAMESPACE/NAME [--json]

Prints the counterfactual report of a PowerCappingPolicy: for its recent recommendations, rack power,
time over the cap, load served and energy with the actions and without them (one side observed, the
other modelled; see capper/README.md).
  --policy NS/NAME  the policy to report on
  --json            print the summary (status.counterfactual) as JSON
The cluster is the current context of KUBECONFIG (or ~/.kube/config, or in-cluster).
Exit status: 0 printed, 1 error (usage, API, policy not found), 3 the policy has no report yet.
`;

/** Exit code when the policy exists but its capper has not written a report yet. */
export const NO_REPORT_YET = 3;

const SummaryCheck = validator(CounterfactualSummarySchema);
const OutcomesCheck = validator(Type.Array(OutcomeRecordSchema));
const LABEL = '[a-z0-9](?:[-a-z0-9]*[a-z0-9])?';
const POLICY_REF = new RegExp(`^(${LABEL})/(${LABEL}(?:\\.${LABEL})*)$`);

export interface ReportIo {
  readonly out: { write(text: string): unknown };
  readonly err: { write(text: string): unknown };
}

/** Reads one PowerCappingPolicy object; the real one asks the API server. */
export type PolicyReader = (namespace: string, name: string) => Promise<unknown>;

export function parsePolicyRef(value: string): { namespace: string; name: string } {
  const m = POLICY_REF.exec(value);
  if (m === null || (m[1] ?? '').length > 63 || (m[2] ?? '').length > 253) {
    throw new ClimatikError('CLIMATIK_USAGE', `report: --policy must be NAMESPACE/NAME (lower-case DNS names), got "${value}"`, {
      issues: [{ path: '--policy', message: 'expected NAMESPACE/NAME', value }],
    });
  }
  return { namespace: m[1] ?? '', name: m[2] ?? '' };
}

export function clusterPolicyReader(kc: KubeConfig = defaultKubeConfig()): PolicyReader {
  const api = kc.makeApiClient(CustomObjectsApi);
  return async (namespace, name) => {
    try {
      return await api.getNamespacedCustomObject({ group: POLICY_GROUP, version: POLICY_VERSION, plural: POLICY_PLURAL, namespace, name });
    } catch (err) {
      if (err instanceof ApiException && err.code === 404) {
        throw new ClimatikError('CLIMATIK_KUBE_API', `PowerCappingPolicy ${namespace}/${name} not found`, {
          cause: err,
          issues: [{ path: '--policy', message: 'no such PowerCappingPolicy in the cluster', value: `${namespace}/${name}` }],
        });
      }
      throw kubeError(`read PowerCappingPolicy ${namespace}/${name}`, err);
    }
  };
}

function defaultKubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromDefault();
  return kc;
}

export async function run(args: string[], io: ReportIo = { out: process.stdout, err: process.stderr }, read?: PolicyReader): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { policy: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, 'report');
  if (values.help === true) {
    io.out.write(USAGE);
    return 0;
  }
  if (positionals.length > 0) throw new ClimatikError('CLIMATIK_USAGE', `report: unexpected argument ${positionals[0]}`, { issues: [{ path: 'argv', message: 'unexpected argument', value: positionals[0] }] });
  const ref = parsePolicyRef(requireFlag(values.policy, 'policy'));
  const key = `${ref.namespace}/${ref.name}`;
  const object = await (read ?? clusterPolicyReader())(ref.namespace, ref.name);
  const status = isRecord(object) && isRecord(object.status) ? object.status : {};
  if (status.counterfactual === undefined) {
    io.err.write(`climatik report: PowerCappingPolicy ${key} has no counterfactual report yet (its capper writes one after the first recommendation for a rack over its cap)\n`);
    return NO_REPORT_YET;
  }
  const summary = SummaryCheck.parse(status.counterfactual, 'CLIMATIK_KUBE_API', `status.counterfactual of PowerCappingPolicy ${key}`);
  if (values.json === true) {
    io.out.write(`${JSON.stringify(summary, null, 2)}\n`);
    return 0;
  }
  const outcomes = OutcomesCheck.parse(status.outcomes ?? [], 'CLIMATIK_KUBE_API', `status.outcomes of PowerCappingPolicy ${key}`);
  io.out.write(`${[...renderSummary(key, summary), '', ...renderOutcomes(outcomes)].join('\n')}\n`);
  return 0;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
