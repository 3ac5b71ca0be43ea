// Attach mode's promise to the operator: on a host the lab runs only the commands the target names
// for it, plus, where the host allows partitions, the lab's own iptables chain commands. Every
// command goes through this check; anything else is refused before it reaches SSH.

import { isChainCommand } from './iptables.ts';
import type { SshSession } from './session.ts';
import type { SshHost } from './target.ts';

export class RefusedCommandError extends Error {}

/** Why `command` may not run on this host in attach mode, or null when it may. Pure. */
export function refusal(host: SshHost, chain: string, command: string): string | null {
  if (Object.values(host.commands).includes(command)) return null;
  if (isChainCommand(command, chain)) {
    return host.partitions
      ? null
      : `the target does not allow partitions on ${host.address} (hosts[${Number(host.name.slice(1)) - 1}].partitions is false)`;
  }
  return `\`${command}\` is not one of the commands the target allows on ${host.address} (${Object.keys(host.commands).join(', ') || 'none'})`;
}

/** The session, with every run and hold checked against the host's allow-list. */
export function allowListed(session: SshSession, chain: string): SshSession {
  const check = (command: string) => {
    const why = refusal(session.host, chain, command);
    if (why)
      throw new RefusedCommandError(
        `ssh ${session.label}: attach mode refused to run a command: ${why}`,
      );
  };
  return {
    ...session,
    commands: session.commands,
    ended: session.ended,
    async run(command, opts) {
      check(command);
      return session.run(command, opts);
    },
    async hold(command) {
      check(command);
      return session.hold(command);
    },
    close: () => session.close(),
  };
}
