// Attach mode: a cluster the lab did not make (e.g. CF-MySQL under monit). The lab reaches MySQL
// with the target's account and runs on a host only the commands the target names for it (the
// sessions it gets are allow-listed); a fault a host has no command for is an ability it lacks.

import type { NodeStatus } from '../cluster.ts';
import { NOT_A_MEMBER, readNodeStatus } from '../wsrep-status.ts';
import type { SshSession } from './session.ts';
import { fromEnv, type AttachCommand, type SshTarget } from './target.ts';
import type { ModeDriver } from './mode.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function startAttachMode(
  t: SshTarget,
  sessions: readonly SshSession[],
  log: (m: string) => void,
): ModeDriver {
  const password = fromEnv('passwordEnv', t.passwordEnv!, t.file);
  const byName = (name: string) => {
    const s = sessions.find((x) => x.host.name === name);
    if (!s)
      throw new Error(`no node ${name}; nodes are ${sessions.map((x) => x.host.name).join(', ')}`);
    return s;
  };
  const runAllowed = async (name: string, what: AttachCommand) => {
    const s = byName(name);
    const command = s.host.commands[what];
    if (!command)
      throw new Error(`ssh ${s.label}: the target names no ${what} command for this host`);
    return s.run(command, { timeoutMs: 120_000 });
  };
  const killed = new Set<string>();
  const paused = new Set<string>();
  const all = (what: AttachCommand) => sessions.every((s) => s.host.commands[what] !== undefined);

  const status = async (name: string): Promise<NodeStatus> => {
    const s = byName(name);
    return (
      (await readNodeStatus({
        host: s.host.address,
        port: s.host.mysqlPort,
        user: t.user!,
        password,
        database: t.database,
        connectTimeout: 3000,
      })) ?? NOT_A_MEMBER
    );
  };
  return {
    user: t.user!,
    password,
    database: t.database,
    status,
    async waitSynced(name, size, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const st = await status(name).catch(() => null);
        if (st && st.localState === 4 && st.clusterSize >= size && st.clusterStatus === 'Primary')
          return;
        if (Date.now() > deadline)
          throw new Error(
            `ssh ${byName(name).label}: node ${name} was not Synced in a cluster of ${size} within ${timeoutMs / 1000} s`,
          );
        await sleep(500);
      }
    },
    ...(all('kill') && all('start')
      ? {
          kill: {
            async kill(name: string) {
              killed.add(name);
              await runAllowed(name, 'kill');
            },
            async restart(name: string) {
              await runAllowed(name, 'start');
              killed.delete(name);
            },
          },
        }
      : {}),
    ...(all('pause') && all('resume')
      ? {
          pause: {
            async pause(name: string) {
              paused.add(name);
              await runAllowed(name, 'pause');
            },
            async resume(name: string) {
              await runAllowed(name, 'resume');
              paused.delete(name);
            },
          },
        }
      : {}),
    async errorLog(name) {
      if (!byName(name).host.commands.log) return null;
      return (await runAllowed(name, 'log').catch(() => null))?.stdout ?? null;
    },
    async stop() {
      // Leave the cluster as the lab found it: every node it paused or killed running again.
      for (const n of paused) await runAllowed(n, 'resume').catch((e: Error) => log(e.message));
      for (const n of killed) await runAllowed(n, 'start').catch((e: Error) => log(e.message));
      paused.clear();
      killed.clear();
    },
  };
}
