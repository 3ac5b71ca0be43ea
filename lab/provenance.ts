// What produced a figure: the lab's own commit (and whether the checkout had changes beyond it),
// the versions of the real components, and the machine. Runs (results.json) and campaigns
// (findings.json) record it so that a reader can tell "the code changed" from "the machine did".
// Reading it never fails a run: what cannot be learned is recorded as null.

import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { PROJECT_ROOT } from './project-root.ts';

export interface LabCommit {
  /** The full commit id of HEAD, or null outside a git checkout. */
  commit: string | null;
  /** True when tracked files differ from HEAD (untracked run directories do not count). */
  dirty: boolean | null;
}

export interface Provenance {
  lab: LabCommit;
  node: string;
  /** Debian package versions, as installed (dpkg-query). */
  mariadb: string | null;
  galera: string | null;
  etcd: string | null;
  machine: { cores: number; memoryGiB: number };
}

function run(cmd: string, args: string[], cwd?: string): string | null {
  try {
    return execFileSync(cmd, args, {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 10_000,
    }).trim();
  } catch {
    return null;
  }
}

export function labCommit(root = PROJECT_ROOT): LabCommit {
  const commit = run('git', ['rev-parse', 'HEAD'], root);
  if (commit === null) return { commit: null, dirty: null };
  const status = run('git', ['status', '--porcelain', '--untracked-files=no'], root);
  return { commit, dirty: status === null ? null : status.length > 0 };
}

function debianVersion(pkg: string): string | null {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own field syntax
  const v = run('dpkg-query', ['-W', '-f=${Version}', pkg]);
  return v === null || v === '' ? null : v;
}

/** Everything but the load, which the run samples while it runs (it changes; these do not). */
export function provenance(): Provenance {
  return {
    lab: labCommit(),
    node: process.version,
    mariadb: debianVersion('mariadb-server'),
    galera: debianVersion('galera-4'),
    etcd: debianVersion('etcd-server'),
    machine: { cores: cpus().length, memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10 },
  };
}
