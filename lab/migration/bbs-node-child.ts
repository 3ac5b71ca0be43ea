// The child side of a BBS node (bbs-node-handle.ts is the lab's side): one BBS node as an OS
// process (`bbs-lab bbs-node <config.json>`), as the real BBS is one process per VM: a kill is a
// real SIGKILL (nothing more is written, its Consul session lapses on the agent), a stop is SIGTERM
// (the node releases the lock and exits 0), and a node that cannot start exits non-zero with its
// reason.
//
// It talks to the lab that started it over its stdio, one JSON object per line:
//   out  {"started": true}                   initialised, competing for the lock
//   out  {"startError": "<reason>"}          then exit 2 (SQL unreachable, …)
//   out  {"journal": <JournalEvent>}         what its migration manager did
//   (bbs/migrations/journal.ts) out  {"hook": "<point>"}                 stopped at a migration
//   hook point the lab asked for;
//   in   "continue"                          … go on (the lab may instead kill it there)
//   out  {"log": "<line>"}
// When stdin closes the lab is gone: the node dies at once, as its VM would with the lab's run.

import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { connectConsul } from '../consul/driver.ts';
import { HOOK_POINTS, type HookPoint } from '../../bbs/migrations/etcd-to-sql.ts';
import { Journal, type JournalEvent } from '../../bbs/migrations/journal.ts';
import { BbsNode, StartError, type SqlConfig } from '../../bbs/node/node.ts';

export interface BbsNodeChildConfig {
  id: string;
  host: string;
  port?: number;
  etcdUrl?: string;
  sql?: SqlConfig;
  /** The Consul agent's HTTP address (the BBS's local agent). */
  consulUrl: string;
  lockTtl: string;
  retryMs: number;
  /**
   * The BBS profile a node with SQL runs (bbs/versions); default bbs/migrations'
   * MIGRATION_DEFAULT_VERSION.
   */
  version?: string;
  /** Hook points at which the node stops and waits for the lab's "continue". */
  pauseAt: HookPoint[];
}

/** Reads and checks a node config file; throws with the field to fix. */
export function readNodeConfig(path: string): BbsNodeChildConfig {
  let c: Partial<BbsNodeChildConfig>;
  try {
    c = JSON.parse(readFileSync(path, 'utf8')) as Partial<BbsNodeChildConfig>;
  } catch (e) {
    throw new Error(`${path}: not a readable JSON node config: ${(e as Error).message}`);
  }
  const problems: string[] = [];
  for (const k of ['id', 'host', 'consulUrl', 'lockTtl'] as const)
    if (typeof c[k] !== 'string' || c[k] === '') problems.push(`${k}: required, a string`);
  if (typeof c.host === 'string' && !c.host.startsWith('127.'))
    problems.push(`host: must be a loopback address (127.x.y.z), got ${c.host}`);
  if (!Number.isInteger(c.retryMs)) problems.push('retryMs: required, whole milliseconds');
  if (!c.etcdUrl && !c.sql) problems.push('etcdUrl / sql: give etcd, SQL or both');
  const bad = (c.pauseAt ?? []).filter((p) => !HOOK_POINTS.includes(p));
  if (bad.length)
    problems.push(
      `pauseAt: unknown hook point ${bad.join(', ')}; known: ${HOOK_POINTS.join(', ')}`,
    );
  if (problems.length) throw new Error(`${path}: invalid node config\n  ${problems.join('\n  ')}`);
  return { pauseAt: [], ...c } as BbsNodeChildConfig;
}

/** The child's main: runs the node until it exits; resolves with the exit code. */
export async function runBbsNodeChild(configPath: string): Promise<number> {
  const c = readNodeConfig(configPath);
  const say = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`);
  const waiting: (() => void)[] = [];
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (l) => {
    if (l.trim() === 'continue') waiting.shift()?.();
  });
  // The lab is gone: die as a killed process would, releasing nothing.
  lines.on('close', () => process.kill(process.pid, 'SIGKILL'));
  const journal = new (class extends Journal {
    override record(e: Omit<JournalEvent, 't'>): void {
      super.record(e);
      say({ journal: this.events[this.events.length - 1] });
    }
  })();
  const hooks: Partial<Record<HookPoint, () => Promise<void>>> = {};
  for (const p of c.pauseAt) {
    hooks[p] = () =>
      new Promise<void>((resume) => {
        waiting.push(resume);
        say({ hook: p });
      });
  }
  const consul = await connectConsul({ url: c.consulUrl });
  let node: BbsNode;
  try {
    node = await BbsNode.start({
      id: c.id,
      host: c.host,
      ...(c.port ? { port: c.port } : {}),
      ...(c.etcdUrl ? { etcdUrl: c.etcdUrl } : {}),
      ...(c.sql ? { sql: c.sql } : {}),
      ...(c.version ? { version: c.version } : {}),
      lock: consul,
      lockTtl: c.lockTtl,
      retryMs: c.retryMs,
      journal,
      hooks,
      log: (m) => say({ log: m }),
    });
  } catch (e) {
    say({ startError: e instanceof StartError ? e.message : `${c.id}: ${(e as Error).message}` });
    await consul.close().catch(() => undefined);
    return 2;
  }
  say({ started: true });
  process.once('SIGTERM', () => void node.stop());
  const exit = await node.exited;
  await consul.close().catch(() => undefined);
  return exit.code;
}
