// The lab's side of a BBS node that runs as its own OS process (bbs-node-child.ts): it writes the
// node's config into the deployment's temp dir, starts `bbs-lab bbs-node <config>` as a tracked
// child (stopped with the lab, found by `bbs-lab cleanup` through the config path in its command
// line), follows its state from the journal lines it prints, and runs the lab's hook functions
// while the node waits at a hook point: a hook may call the node's API, or kill it right there.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { HookPoint } from '../../bbs/migrations/etcd-to-sql.ts';
import type { Journal, JournalEvent } from '../../bbs/migrations/journal.ts';
import {
  StartError,
  type NodeExit,
  type NodeMode,
  type NodeState,
  type RunningBbs,
} from '../../bbs/node/node.ts';
import { PROJECT_ROOT } from '../project-root.ts';
import { killGroup, spawnTracked, stopTracked, type Tracked } from '../lifecycle/processes.ts';
import type { BbsNodeChildConfig } from './bbs-node-child.ts';

const BIN = join(PROJECT_ROOT, 'bin', 'bbs-lab.js');

export interface BbsNodeHandleOptions {
  config: BbsNodeChildConfig;
  /** Where the config file goes (a lab temp dir). */
  dir: string;
  journal: Journal;
  hooks?: Partial<Record<HookPoint, () => Promise<void>>>;
  log?: (m: string) => void;
}

export class BbsNodeHandle implements RunningBbs {
  state: NodeState = 'starting';
  exit: NodeExit | undefined;
  readonly exited: Promise<NodeExit>;
  readonly url: string;
  readonly mode: NodeMode;
  private resolveExit!: (e: NodeExit) => void;
  private lastExitEvent: JournalEvent | undefined;
  private killed = false;

  private constructor(
    private readonly o: BbsNodeHandleOptions,
    private readonly proc: Tracked,
  ) {
    const c = o.config;
    this.url = `http://${c.host}:${c.port ?? 8889}`;
    this.mode = c.sql ? (c.etcdUrl ? 'dual' : 'sql') : 'legacy';
    this.exited = new Promise((r) => (this.resolveExit = r));
    void proc.exited.then(({ code, signal }) => {
      const e = this.lastExitEvent;
      this.exit =
        this.killed || signal === 'SIGKILL'
          ? { code: 137, reason: 'killed' }
          : e
            ? { code: e.version, reason: e.detail ?? '' }
            : { code: code ?? 1, reason: `exited ${code ?? signal}` };
      this.state = 'exited';
      this.resolveExit(this.exit);
    });
  }

  get id(): string {
    return this.o.config.id;
  }

  /**
   * Starts the process; resolves once the node competes for the lock, throws StartError if it
   * cannot start.
   */
  static async start(o: BbsNodeHandleOptions): Promise<BbsNodeHandle> {
    const cfg = { ...o.config, pauseAt: Object.keys(o.hooks ?? {}) as HookPoint[] };
    const path = join(o.dir, `bbs-node-${cfg.id}.json`);
    writeFileSync(path, JSON.stringify(cfg, null, 2));
    const proc = spawnTracked(`bbs ${cfg.id}`, process.execPath, [BIN, 'bbs-node', path], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const node = new BbsNodeHandle(o, proc);
    const stderr: string[] = [];
    proc.child.stderr!.on('data', (d: Buffer) => stderr.push(String(d)));
    const ready = new Promise<void>((resolve, reject) => {
      createInterface({ input: proc.child.stdout! }).on('line', (line) => {
        let m: Record<string, unknown>;
        try {
          m = JSON.parse(line) as Record<string, unknown>;
        } catch {
          o.log?.(`[${cfg.id}] ${line}`);
          return;
        }
        if (m.started) {
          node.state = 'waiting';
          resolve();
        } else if (typeof m.startError === 'string') reject(new StartError(m.startError));
        else if (typeof m.log === 'string') o.log?.(m.log);
        else if (m.journal) node.onJournal(m.journal as JournalEvent);
        else if (typeof m.hook === 'string') void node.onHook(m.hook as HookPoint);
      });
      void proc.exited.then(() =>
        reject(
          new StartError(
            `${cfg.id}: the node process exited before it started: ${stderr.join('').trim().split('\n').slice(-3).join(' | ') || 'no output'}`,
          ),
        ),
      );
    });
    try {
      await ready;
    } catch (e) {
      await stopTracked(proc, 2000);
      throw e;
    }
    return node;
  }

  private onJournal(e: JournalEvent): void {
    this.o.journal.events.push(e);
    if (e.kind === 'lock-acquired') this.state = 'migrating';
    else if (e.kind === 'serving') this.state = 'serving';
    else if (e.kind === 'exit') this.lastExitEvent = e;
  }

  private async onHook(p: HookPoint): Promise<void> {
    try {
      await this.o.hooks?.[p]?.();
    } catch {
      // A hook that throws stops the node there (a kill is the usual reason): nothing more runs.
      if (!this.killed) this.kill();
      return;
    }
    if (!this.killed) this.proc.child.stdin!.write('continue\n');
  }

  async stop(): Promise<NodeExit> {
    if (!this.proc.hasExited()) await stopTracked(this.proc, 10_000);
    return this.exited;
  }

  kill(): void {
    if (this.proc.hasExited()) return;
    this.killed = true;
    this.state = 'exited';
    killGroup(this.proc.pid, 'SIGKILL');
  }
}
