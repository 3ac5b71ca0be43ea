// `bbs-lab cleanup` for SSH runs whose lab died too hard to undo its work (SIGKILL, power loss):
// each run's record (in its owned temp dir on this machine) names the target file, the hosts, the
// lab's dir, chain and installed packages on each; the cleanup logs in again and removes exactly
// those. A run whose lab still runs is left alone unless forced.

import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { processAlive } from '../../lifecycle/process-alive.ts';
import { TEMP_PREFIX } from '../../lifecycle/owned.ts';
import { allowListed } from './allow-list.ts';
import { openAll } from './cluster.ts';
import { killUsing } from './install.ts';
import { chainName, removeChainCommand } from './iptables.ts';
import { readRecord, recordDirs } from './record.ts';
import { shq } from './session.ts';
import { loadSshTarget } from './target.ts';

export interface SshCleanupResult {
  removed: string[];
  kept: string[];
  failed: string[];
}

export async function removeSshLeftovers(
  opts: { force?: boolean; root?: string } = {},
): Promise<SshCleanupResult> {
  const out: SshCleanupResult = { removed: [], kept: [], failed: [] };
  for (const dir of recordDirs(opts.root ?? tmpdir(), TEMP_PREFIX)) {
    const rec = readRecord(dir);
    if (!rec) continue;
    if (!opts.force && rec.pid !== process.pid && processAlive(rec.pid)) {
      out.kept.push(
        `${dir}: its lab (pid ${rec.pid}) still runs; use --force to remove its work on the hosts anyway`,
      );
      continue;
    }
    const manual = Object.entries(rec.hosts)
      .map(
        ([node, h]) =>
          `${h.address}: ${[h.chain ? `iptables chain ${h.chain}` : '', h.dir ? `dir ${h.dir} and its mariadbd` : '', h.installed.length ? `packages ${h.installed.join(' ')}` : ''].filter(Boolean).join(', ') || `nothing (${node})`}`,
      )
      .join('; ');
    try {
      const t = loadSshTarget(rec.target);
      const raw = await openAll(t);
      try {
        const sessions =
          t.mode === 'attach'
            ? raw.map((s) => allowListed(s, chainName(rec.runId, s.host.name)))
            : raw;
        for (const s of sessions) {
          const h = rec.hosts[s.host.name];
          if (!h) continue;
          // The chain is named by the run, so it is removed even when the record missed its
          // creation.
          await s.run(removeChainCommand(chainName(rec.runId, s.host.name)), { timeoutMs: 30_000 });
          if (h.dir) {
            await s.run(killUsing(h.dir).command, {
              stdin: killUsing(h.dir).stdin,
              allowFail: true,
            });
            await s.run(`rm -rf ${shq(h.dir)}`, { timeoutMs: 60_000 });
          }
          if (h.installed.length > 0)
            await s.run(
              `DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq ${h.installed.join(' ')}`,
              { timeoutMs: 600_000 },
            );
          out.removed.push(
            `${s.label}: ${[`chain ${chainName(rec.runId, s.host.name)}`, h.dir ? `dir ${h.dir}` : '', h.installed.length ? `packages ${h.installed.join(' ')}` : ''].filter(Boolean).join(', ')}`,
          );
        }
      } finally {
        for (const s of raw) s.close();
      }
      rmSync(dir, { recursive: true, force: true });
    } catch (e) {
      out.failed.push(`${dir}: ${(e as Error).message}; remove by hand on each host: ${manual}`);
    }
  }
  return out;
}
