// A real control plane on loopback for e2e tests: etcd, kube-apiserver and kube-scheduler
// processes built from upstream by scripts/build-control-plane.sh. No kubelet and no
// kube-controller-manager: Nodes are plain API objects (see nodes.ts) and bound pods stay Pending,
// which is all scheduling tests need. Everything lives in one state dir under the temp folder.
import { KubeConfig } from '@kubernetes/client-node';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import { newIdentity, writeKubeconfig, writeServiceAccountKeys, writeTokenFile } from './credentials.js';
import { probe } from './http-probe.js';
import { freePort, startProcess, waitUntil, type ManagedProcess } from './processes.js';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const defaultBinDir = join(repoRoot, 'test', 'k8s-harness', 'bin');

export interface ClusterOptions {
  /** KubeSchedulerConfiguration YAML (text) for one extra scheduler process named "climatik". */
  readonly schedulerConfig?: string;
  /** Start a plain kube-scheduler serving `default-scheduler` (default true). */
  readonly defaultScheduler?: boolean;
  /** Where kube-apiserver, kube-scheduler and etcd are (default test/k8s-harness/bin). */
  readonly binDir?: string;
  /** State dir (default: a new one under the temp folder). */
  readonly stateDir?: string;
  /** Keep the state dir (logs, certs) after stop(). */
  readonly keepStateDir?: boolean;
  /** Processes outlive this Node process (scripts/cluster-up.sh); stop with cluster-down.sh. */
  readonly daemon?: boolean;
  /** Upper bound on start-up of each process; guards against a hang, not a speed check. */
  readonly startTimeoutMs?: number;
}

export interface Cluster {
  /** Admin kubeconfig (system:masters token), for tests and @kubernetes/client-node. */
  readonly kubeconfigPath: string;
  /** Kubeconfig of the `system:kube-scheduler` identity (bootstrap RBAC), for scheduler processes. */
  readonly schedulerKubeconfigPath: string;
  readonly apiUrl: string;
  readonly token: string;
  readonly stateDir: string;
  kubeConfig(): KubeConfig;
  /** Starts a kube-scheduler with the given config; clientConnection.kubeconfig is filled in. */
  startScheduler(name: string, configYaml: string): Promise<ManagedProcess>;
  stopScheduler(name: string): Promise<void>;
  processes(): readonly ManagedProcess[];
  /** Stops every process (schedulers, apiserver, etcd) and removes the state dir. Idempotent. */
  stop(): Promise<void>;
}

const defaultSchedulerConfig = `apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
leaderElection:
  leaderElect: false
profiles:
  - schedulerName: default-scheduler
`;

function binary(binDir: string, name: string): string {
  const path = join(binDir, name);
  if (!existsSync(path)) throw new Error(`${path} is missing: run scripts/build-control-plane.sh first`);
  return path;
}

export async function startCluster(opts: ClusterOptions = {}): Promise<Cluster> {
  const binDir = opts.binDir ?? defaultBinDir;
  const bins = { etcd: binary(binDir, 'etcd'), apiserver: binary(binDir, 'kube-apiserver'), scheduler: binary(binDir, 'kube-scheduler') };
  const stateDir = opts.stateDir ?? (await mkdtemp(join(tmpdir(), 'climatik-e2e-')));
  await mkdir(stateDir, { recursive: true });
  const timeoutMs = opts.startTimeoutMs ?? 120_000;
  const pidFile = join(stateDir, 'pids');
  const procs: ManagedProcess[] = [];
  const schedulers = new Map<string, ManagedProcess>();
  const start = (name: string, command: string, args: string[]): ManagedProcess => {
    const p = startProcess(name, command, args, join(stateDir, `${name}.log`), { pidFile, daemon: opts.daemon ?? false });
    procs.push(p);
    return p;
  };
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    // Reverse start order: schedulers first, etcd last, so nothing logs errors about a missing peer.
    for (const p of [...procs].reverse()) await p.stop();
    if (!(opts.keepStateDir ?? false)) await rm(stateDir, { recursive: true, force: true });
  };

  try {
    const etcdPort = await freePort();
    const etcdPeerPort = await freePort();
    const etcdUrl = `http://127.0.0.1:${etcdPort}`;
    const etcd = start('etcd', bins.etcd, [
      '--name=e2e',
      `--data-dir=${join(stateDir, 'etcd')}`,
      `--listen-client-urls=${etcdUrl}`,
      `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
      `--initial-cluster=e2e=http://127.0.0.1:${etcdPeerPort}`,
      // Throwaway data: skipping fsync keeps the 2-core CI machine from stalling on disk.
      '--unsafe-no-fsync',
      '--log-level=warn',
    ]);
    await waitUntil('etcd /health', async () => (await probe(`${etcdUrl}/health`)).body.includes('"health":"true"'), {
      timeoutMs,
      process: etcd,
    });

    const admin = newIdentity('e2e-admin', ['system:masters']);
    // The bootstrap ClusterRoleBindings give this user exactly what a real kube-scheduler gets.
    const schedulerUser = newIdentity('system:kube-scheduler', []);
    const tokenFile = join(stateDir, 'tokens.csv');
    await writeTokenFile(tokenFile, [admin, schedulerUser]);
    const saKeys = await writeServiceAccountKeys(stateDir);
    const certDir = join(stateDir, 'apiserver-certs');
    const apiPort = await freePort();
    const apiUrl = `https://127.0.0.1:${apiPort}`;
    const apiserver = start('kube-apiserver', bins.apiserver, [
      `--etcd-servers=${etcdUrl}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${apiPort}`,
      // Self-signed serving cert + CA written here; it covers the bind address 127.0.0.1.
      `--cert-dir=${certDir}`,
      `--token-auth-file=${tokenFile}`,
      '--authorization-mode=RBAC',
      '--service-account-issuer=https://kubernetes.default.svc',
      `--service-account-key-file=${saKeys.publicKeyPath}`,
      `--service-account-signing-key-file=${saKeys.privateKeyPath}`,
      // An allocation range for Service IPs only; nothing routes to it.
      '--service-cluster-ip-range=10.0.0.0/24',
      // No endpoints for the kubernetes Service: there is no network to reach it on anyway.
      '--endpoint-reconciler-type=none',
      // Both need kube-controller-manager: ServiceAccount rejects pods until a token controller
      // creates `default` SAs; TaintNodesByCondition taints new Nodes not-ready and only the node
      // lifecycle controller would remove the taint.
      '--disable-admission-plugins=ServiceAccount,TaintNodesByCondition',
      '--profiling=false',
      // As on real clusters (kubeadm sets it): privileged pods such as the GPU node agent are allowed.
      '--allow-privileged=true',
    ]);
    const caPath = join(certDir, 'apiserver.crt');
    await waitUntil(`kube-apiserver serving cert in ${certDir}`, () => Promise.resolve(existsSync(caPath)), { timeoutMs, process: apiserver });
    await waitUntil(
      'kube-apiserver /readyz',
      async () => (await probe(`${apiUrl}/readyz`, { caPath, token: admin.token })).status === 200,
      { timeoutMs, process: apiserver, intervalMs: 500 },
    );

    const kubeconfigPath = join(stateDir, 'kubeconfig');
    const schedulerKubeconfigPath = join(stateDir, 'scheduler.kubeconfig');
    await writeKubeconfig(kubeconfigPath, apiUrl, caPath, admin);
    await writeKubeconfig(schedulerKubeconfigPath, apiUrl, caPath, schedulerUser);

    const startScheduler = async (name: string, configYaml: string): Promise<ManagedProcess> => {
      if (schedulers.get(name)?.alive() === true) throw new Error(`scheduler ${name} is already running`);
      const doc = parseDocument(configYaml);
      if (doc.errors.length > 0) throw new Error(`scheduler config for ${name}: ${doc.errors[0]?.message ?? 'invalid YAML'}`);
      doc.setIn(['clientConnection', 'kubeconfig'], schedulerKubeconfigPath);
      const configPath = join(stateDir, `scheduler-${name}.yaml`);
      await writeFile(configPath, doc.toString());
      const port = await freePort();
      const p = start(`kube-scheduler-${name}`, bins.scheduler, [
        `--config=${configPath}`,
        '--bind-address=127.0.0.1',
        `--secure-port=${port}`,
        `--cert-dir=${join(stateDir, `scheduler-${name}-certs`)}`,
      ]);
      schedulers.set(name, p);
      await waitUntil(`kube-scheduler ${name} /readyz`, async () => (await probe(`https://127.0.0.1:${port}/readyz`)).status === 200, {
        timeoutMs,
        process: p,
        intervalMs: 500,
      });
      return p;
    };

    if (opts.defaultScheduler ?? true) await startScheduler('default', defaultSchedulerConfig);
    if (opts.schedulerConfig !== undefined) await startScheduler('climatik', opts.schedulerConfig);

    return {
      kubeconfigPath,
      schedulerKubeconfigPath,
      apiUrl,
      token: admin.token,
      stateDir,
      kubeConfig() {
        const kc = new KubeConfig();
        kc.loadFromFile(kubeconfigPath);
        return kc;
      },
      startScheduler,
      async stopScheduler(name) {
        await schedulers.get(name)?.stop();
      },
      processes: () => procs,
      stop,
    };
  } catch (err) {
    // A failed start keeps its logs for diagnosis; the error names the log file.
    for (const p of [...procs].reverse()) await p.stop();
    throw err;
  }
}
