// Integration: a real git CLI pushing to a local bare repository.
import t, { type Test } from 'tap';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { GitOpsSink, type GitOpsSinkConfig } from './gitops-sink.js';
import { branchName, compactTimestamp, safeSegment } from './gitops-patches.js';
import { hotRackRecommendation } from './testing/fixtures.js';

const run = promisify(execFile);
const ID = ['-c', 'user.name=seed', '-c', 'user.email=seed@example.org'];

async function git(cwd: string, ...args: string[]): Promise<string> {
  return (await run('git', [...ID, ...args], { cwd })).stdout;
}

/** A bare repository with one commit on main, as a team's GitOps repo would be. */
async function bareRepo(t: Test): Promise<{ bare: string; root: string }> {
  const root = await mkdtemp(join(tmpdir(), 'climatik-gitops-'));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  const bare = join(root, 'remote.git');
  await run('git', ['init', '--quiet', '--bare', '--initial-branch=main', bare]);
  const seed = join(root, 'seed');
  await run('git', ['clone', '--quiet', bare, seed]);
  await writeFile(join(seed, 'README.md'), '# cluster manifests\n');
  await git(seed, 'add', 'README.md');
  await git(seed, 'commit', '--quiet', '-m', 'initial');
  await git(seed, 'push', '--quiet', 'origin', 'HEAD:refs/heads/main');
  return { bare, root };
}

const config = (bare: string, root: string): GitOpsSinkConfig => ({
  remoteUrl: bare,
  workDir: join(root, 'work'),
  baseBranch: 'main',
  authorName: 'Climatik Bot',
  authorEmail: 'climatik@example.org',
  pathPrefix: 'climatik',
});

t.test('hot rack recommendation lands as a branch with both patches in the bare repo', async (t) => {
  const { bare, root } = await bareRepo(t);
  const rec = hotRackRecommendation();
  await new GitOpsSink(config(bare, root)).publish(rec);

  const branch = 'climatik/rack-a-cap/rack-a-20261129T102000Z';
  t.equal(branchName(rec), branch);
  t.equal((await git(bare, 'branch', '--list', 'climatik/*')).trim(), branch);
  t.equal((await git(bare, 'log', '-1', '--format=%an <%ae>|%s', branch)).trim(), 'Climatik Bot <climatik@example.org>|climatik: llm/rack-a-cap rack-a OverCap, 2 action(s)');
  t.equal((await git(bare, 'rev-parse', `${branch}~1`)).trim(), (await git(bare, 'rev-parse', 'main')).trim(), 'branched off main');

  const files = (await git(bare, 'ls-tree', '-r', '--name-only', branch)).trim().split('\n').sort();
  t.same(files, ['README.md', 'climatik/llm/rack-a-cap/rack-a/RECOMMENDATION.md', 'climatik/llm/rack-a-cap/rack-a/node-gpu-node-1.yaml', 'climatik/llm/rack-a-cap/rack-a/scaledobject-llm-llama-70b.yaml']);

  const so = parse(await git(bare, 'show', `${branch}:climatik/llm/rack-a-cap/rack-a/scaledobject-llm-llama-70b.yaml`)) as unknown;
  t.same(so, {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: { name: 'llama-70b', namespace: 'llm', annotations: { 'climatik.io/original-max-replica-count': '8', 'climatik.io/capped-by': 'llm/rack-a-cap' } },
    spec: { maxReplicaCount: 6 },
  });
  const node = parse(await git(bare, 'show', `${branch}:climatik/llm/rack-a-cap/rack-a/node-gpu-node-1.yaml`)) as unknown;
  t.same(node, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'gpu-node-1', annotations: { 'climatik.io/gpu-power-limit-watts': '275', 'climatik.io/gpu-power-limit-by': 'llm/rack-a-cap' } } });
  t.match(await git(bare, 'show', `${branch}:climatik/llm/rack-a-cap/rack-a/RECOMMENDATION.md`), /\| 9600 W \| 9850 W \| 9000 W \|[\s\S]*Expected effect: ≈ −900 W/);
});

t.test('recovery recommendation: restore patches null the annotations; each branch starts from main', async (t) => {
  const { bare, root } = await bareRepo(t);
  const sink = new GitOpsSink(config(bare, root));
  await sink.publish(hotRackRecommendation());
  const later = Date.UTC(2026, 10, 29, 11, 0, 0);
  const restore = hotRackRecommendation({
    id: 'llm/rack-a-cap/rack-a/restore',
    createdAtMs: later,
    rack: { id: 'rack-a', state: 'Recovering', capW: 9000, measuredW: 7000, forecastW: 7100, excessW: -1900 },
    actions: [
      { kind: 'RestoreMaxReplicas', namespace: 'llm', name: 'llama-70b', rackId: 'rack-a', maxReplicaCount: 8, reason: 'headroom' },
      { kind: 'ClearGpuPowerLimit', node: 'gpu-node-1', rackId: 'rack-a', reason: 'headroom' },
    ],
  });
  await sink.publish(restore);
  await sink.resolve();

  const branch = `climatik/rack-a-cap/rack-a-${compactTimestamp(later)}`;
  t.equal((await git(bare, 'branch', '--list', 'climatik/*')).split('\n').filter(Boolean).length, 2, 'two branches');
  t.equal((await git(bare, 'rev-parse', `${branch}~1`)).trim(), (await git(bare, 'rev-parse', 'main')).trim(), 'second branch also off main');
  const so = parse(await git(bare, 'show', `${branch}:climatik/llm/rack-a-cap/rack-a/scaledobject-llm-llama-70b.yaml`)) as { metadata: { annotations: object }; spec: object };
  t.same(so.spec, { maxReplicaCount: 8 });
  t.same(so.metadata.annotations, { 'climatik.io/original-max-replica-count': null, 'climatik.io/capped-by': null });
  const node = parse(await git(bare, 'show', `${branch}:climatik/llm/rack-a-cap/rack-a/node-gpu-node-1.yaml`)) as { metadata: { annotations: object } };
  t.same(node.metadata.annotations, { 'climatik.io/gpu-power-limit-watts': null, 'climatik.io/gpu-power-limit-by': null });
});

t.test('unreachable remote: publish rejects with git stderr', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'climatik-gitops-'));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  await t.rejects(new GitOpsSink(config(join(root, 'missing.git'), root)).publish(hotRackRecommendation()));
});

t.test('names from cluster objects cannot escape the ref or the path', async (t) => {
  const table: [string, string][] = [
    ['rack-a', 'rack-a'],
    ['../etc', '___etc'],
    ['a..b', 'a__b'],
    ['a b:c~^?*[', 'a_b_c_____'],
    ['.hidden', '_hidden'],
    ['x.lock', 'x_lock'],
    ['', '_'],
  ];
  for (const [input, want] of table) t.equal(safeSegment(input), want, JSON.stringify(input));
});
