// GitOps sink: each recommendation becomes a branch with merge-patch files, pushed for review.
// Runs the git CLI with execFile (no shell: names come from cluster objects). The working copy is
// private to this sink and reset to the base branch before every recommendation; the dispatcher
// runs one delivery per sink at a time, so there is no concurrent use.
import { execFile } from 'node:child_process';
import { access, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { branchName, patchFiles, recommendationDir } from './gitops-patches.js';
import type { NotificationSink, Recommendation } from './types.js';

const run = promisify(execFile);

export interface GitOpsSinkConfig {
  /** Remote to clone from and push to (ssh/https URL or a path). Credentials: see README. */
  readonly remoteUrl: string;
  /** Working copy; cloned from remoteUrl on first use. */
  readonly workDir: string;
  readonly baseBranch: string;
  readonly authorName: string;
  readonly authorEmail: string;
  /** Directory inside the repository for the patches. */
  readonly pathPrefix: string;
}

export class GitOpsSink implements NotificationSink {
  readonly name = 'gitops';

  constructor(private readonly config: GitOpsSinkConfig) {}

  async publish(rec: Recommendation): Promise<void> {
    await this.ensureClone();
    const { baseBranch } = this.config;
    const branch = branchName(rec);
    await this.git('fetch', '--quiet', 'origin', baseBranch);
    // -f and clean: a half-finished earlier attempt must not leak into this branch.
    await this.git('checkout', '--quiet', '-f', '-B', branch, `origin/${baseBranch}`);
    await this.git('clean', '-fdq');
    const dir = recommendationDir(rec, this.config.pathPrefix);
    for (const file of patchFiles(rec)) {
      const target = join(this.config.workDir, dir, file.path);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, file.content);
    }
    await this.git('add', '--all', '--', dir);
    const subject = `climatik: ${rec.policy.namespace}/${rec.policy.name} ${rec.rack.id} ${rec.rack.state}, ${rec.actions.length} action(s)`;
    await this.git('commit', '--quiet', '--allow-empty', '-m', subject, '-m', rec.expectedEffect);
    await this.git('push', '--quiet', 'origin', `HEAD:refs/heads/${branch}`);
  }

  /** A pushed branch is a proposal for humans; recovery needs no new one. */
  async resolve(): Promise<void> {}

  private async ensureClone(): Promise<void> {
    const exists = await access(join(this.config.workDir, '.git')).then(
      () => true,
      () => false,
    );
    if (!exists) await run('git', ['clone', '--quiet', '--', this.config.remoteUrl, this.config.workDir], { timeout: 120_000 });
  }

  private async git(...args: string[]): Promise<void> {
    const { authorName, authorEmail } = this.config;
    // Identity per command: no global git config needed in the container.
    const identity = ['-c', `user.name=${authorName}`, '-c', `user.email=${authorEmail}`, '-c', 'commit.gpgsign=false'];
    try {
      await run('git', [...identity, ...args], { cwd: this.config.workDir, timeout: 120_000, env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } });
    } catch (err) {
      const stderr = (err as { stderr?: string }).stderr ?? '';
      throw new Error(`git ${args[0] ?? ''} failed: ${stderr.trim().slice(0, 500) || String(err)}`, { cause: err });
    }
  }
}
