// One SSH connection to one host (ssh2), with every error naming the host, and a log of every
// command it ran (so a test can tell that attach mode ran only what the target allows).

import { Client, type ClientChannel, type ConnectConfig } from 'ssh2';
import { verifyHostKey } from './known-hosts.ts';
import { loginSecrets, type SshHost, type SshTarget } from './target.ts';

export class SshError extends Error {}

export interface ExecResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface SshSession {
  host: SshHost;
  /** `name (address:port)`, how every message names this host. */
  label: string;
  /**
   * Runs a shell command (through `sudo -n sh -c` when the target says sudo); fails on a non-zero
   * exit.
   */
  run(
    command: string,
    opts?: { stdin?: string | Buffer; timeoutMs?: number; allowFail?: boolean },
  ): Promise<ExecResult>;
  /** Opens a channel that runs `command` until the returned close() or the connection ends. */
  hold(command: string): Promise<{ close(): void; closed: Promise<void> }>;
  /** Every command run, in order, as sent (before the sudo wrapping). */
  readonly commands: string[];
  /** Resolves when the connection ends for any reason; `unexpected` unless close() ended it. */
  readonly ended: Promise<{ unexpected: boolean }>;
  close(): void;
}

/** POSIX shell single-quoting. */
export function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export function wrapSudo(command: string, sudo: boolean): string {
  return sudo ? `sudo -n sh -c ${shq(command)}` : command;
}

export async function openSession(
  t: SshTarget,
  host: SshHost,
  opts: { readyTimeoutMs?: number } = {},
): Promise<SshSession> {
  const label = `${host.name} (${host.address}:${host.sshPort})`;
  const client = new Client();
  let hostKeyProblem: string | null = null;
  const config: ConnectConfig = {
    host: host.address,
    port: host.sshPort,
    username: t.ssh.user,
    readyTimeout: opts.readyTimeoutMs ?? 15_000,
    keepaliveInterval: 5_000,
    keepaliveCountMax: 3,
    ...loginSecrets(t),
    hostVerifier: (key: Buffer) => {
      const v = verifyHostKey(
        t.ssh.knownHosts,
        host.address,
        host.sshPort,
        key,
        t.ssh.acceptNewHostKeys,
      );
      if (!v.ok) hostKeyProblem = v.reason;
      return v.ok;
    },
  };
  await new Promise<void>((resolve, reject) => {
    client.once('ready', () => resolve());
    client.once('error', (e: Error & { level?: string }) => {
      if (hostKeyProblem) reject(new SshError(`ssh ${label}: refused: ${hostKeyProblem}`));
      else if (e.level === 'client-authentication') {
        const how = t.ssh.identityFile
          ? `the key ${t.ssh.identityFile}`
          : t.ssh.identityEnv
            ? `the key in $${t.ssh.identityEnv}`
            : t.ssh.agent
              ? 'the agent’s keys'
              : 'the password';
        reject(
          new SshError(
            `ssh ${label}: the host refused ${how} for user ${t.ssh.user}; add its public key to ~${t.ssh.user}/.ssh/authorized_keys there, or fix ssh.user / ssh.identityFile in ${t.file}`,
          ),
        );
      } else
        reject(
          new SshError(
            `ssh ${label}: cannot connect: ${e.message}; check that sshd runs there and the address and ssh port in ${t.file} are right`,
          ),
        );
    });
    client.connect(config);
  });

  let closing = false;
  const ended = new Promise<{ unexpected: boolean }>((resolve) =>
    client.once('close', () => resolve({ unexpected: !closing })),
  );
  client.on('error', () => {}); // after ready: surfaced through `ended` and the failing command
  const commands: string[] = [];

  const open = (command: string): Promise<ClientChannel> =>
    new Promise((resolve, reject) => {
      client.exec(wrapSudo(command, t.ssh.sudo), (err, ch) =>
        err
          ? reject(new SshError(`ssh ${label}: cannot run a command: ${err.message}`))
          : resolve(ch),
      );
    });

  return {
    host,
    label,
    commands,
    ended,
    async run(command, o = {}) {
      commands.push(command);
      const ch = await open(command);
      return await new Promise<ExecResult>((resolve, reject) => {
        let stdout = '';
        let stderr = '';
        const timer = setTimeout(() => {
          ch.close();
          reject(
            new SshError(
              `ssh ${label}: \`${short(command)}\` did not finish within ${(o.timeoutMs ?? 120_000) / 1000} s`,
            ),
          );
        }, o.timeoutMs ?? 120_000);
        ch.on('data', (d: Buffer) => (stdout += d.toString()));
        ch.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        let code: number | null = null;
        ch.on('exit', (c: number | null) => (code = c));
        ch.on('close', () => {
          clearTimeout(timer);
          if (code !== 0 && !o.allowFail) {
            const why = (stderr.trim() || stdout.trim()).split('\n').slice(-6).join('\n');
            reject(
              new SshError(
                `ssh ${label}: \`${short(command)}\` failed (exit ${code ?? 'by signal'})${why ? `: ${why}` : ''}`,
              ),
            );
          } else resolve({ code, stdout, stderr });
        });
        if (o.stdin !== undefined) ch.end(o.stdin);
        else ch.end();
      });
    },
    async hold(command) {
      commands.push(command);
      const ch = await open(command);
      ch.on('data', () => {});
      ch.stderr.on('data', () => {});
      const closed = new Promise<void>((r) => ch.once('close', () => r()));
      return { close: () => ch.end(), closed };
    },
    close() {
      closing = true;
      client.end();
    },
  };
}

function short(command: string): string {
  const one = command.replace(/\s+/g, ' ').trim();
  return one.length > 120 ? `${one.slice(0, 117)}…` : one;
}
