// Credentials the control plane needs, generated fresh per cluster: the service-account signing key
// (ECDSA P-256, as kubeadm can use), bearer tokens in a static token file, and kubeconfigs.
// The apiserver's serving certificate is self-signed by kube-apiserver itself into --cert-dir
// (it covers --bind-address 127.0.0.1); kubeconfigs trust that file.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';

export interface Identity {
  readonly user: string;
  readonly groups: readonly string[];
  readonly token: string;
}

export interface ServiceAccountKeyFiles {
  readonly publicKeyPath: string;
  readonly privateKeyPath: string;
}

export async function writeServiceAccountKeys(dir: string): Promise<ServiceAccountKeyFiles> {
  const { publicKey, privateKey } = generateKeyPairSync('ec', {
    namedCurve: 'prime256v1',
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'sec1', format: 'pem' },
  });
  const publicKeyPath = join(dir, 'sa.pub');
  const privateKeyPath = join(dir, 'sa.key');
  await writeFile(publicKeyPath, publicKey);
  await writeFile(privateKeyPath, privateKey, { mode: 0o600 });
  return { publicKeyPath, privateKeyPath };
}

export function newIdentity(user: string, groups: readonly string[]): Identity {
  return { user, groups, token: randomBytes(24).toString('hex') };
}

/** kube-apiserver --token-auth-file format: token,user,uid,"group1,group2". */
export async function writeTokenFile(path: string, identities: readonly Identity[]): Promise<void> {
  const lines = identities.map((id) => `${id.token},${id.user},${id.user},"${id.groups.join(',')}"`);
  await writeFile(path, `${lines.join('\n')}\n`, { mode: 0o600 });
}

/** A kubeconfig understood by both @kubernetes/client-node and client-go (kube-scheduler). */
export async function writeKubeconfig(path: string, apiUrl: string, caPath: string, identity: Identity): Promise<void> {
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'e2e', cluster: { server: apiUrl, 'certificate-authority': caPath } }],
    users: [{ name: identity.user, user: { token: identity.token } }],
    contexts: [{ name: 'e2e', context: { cluster: 'e2e', user: identity.user } }],
    'current-context': 'e2e',
  };
  await writeFile(path, stringify(doc), { mode: 0o600 });
}
