// The SSH target: the hosts the lab reaches over SSH (Jepsen's "nodes"), how it logs in, and what
// it may do there. Pure parsing and validation; nothing here opens a connection. Secrets are only
// ever named (a file path or an environment variable), so the parsed target can be stored with a
// run without carrying a key or a password.
//
//   name: three-vms
//   mode: install                      # install: the lab installs and runs Galera; attach: an
//   existing cluster ssh:
//     user: root
//     identityFile: ~/.ssh/id_ed25519  # or identityEnv: VAR (the key's text), or agent: true
//     knownHosts: ~/.ssh/known_hosts
//     acceptNewHostKeys: false
//     sudo: false                      # true: every command through `sudo -n` (a non-root user)
//   hosts:
//     - address: 10.0.16.4
//       sshPort: 22
//       mysqlPort: 3306
//       commands:                      # attach only: the only commands the lab runs on this host
//         kill: "monit stop mariadb"
//         start: "monit start mariadb"
//       partitions: false              # attach only: lets the lab add its own iptables chain here
//   database: bbs                      # attach only: the MySQL account the workload uses
//   user: bbs
//   passwordEnv: BBS_DB_PASSWORD

import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse, YAMLParseError } from 'yaml';
import { show } from '../../schema/schema.ts';
import { TargetError } from '../external/target.ts';

export { TargetError };

export type SshMode = 'install' | 'attach';
/** The node faults a host can allow in attach mode, each a command the operator writes. */
export const ATTACH_COMMANDS = ['kill', 'start', 'pause', 'resume', 'log'] as const;
export type AttachCommand = (typeof ATTACH_COMMANDS)[number];

export interface SshAuth {
  user: string;
  /** Path of the private key (resolved), or null. */
  identityFile: string | null;
  /** Environment variable holding the private key's text, or null. */
  identityEnv: string | null;
  passphraseEnv: string | null;
  passwordEnv: string | null;
  /** Use the SSH agent at $SSH_AUTH_SOCK. */
  agent: boolean;
  knownHosts: string;
  acceptNewHostKeys: boolean;
  sudo: boolean;
}

export interface SshHost {
  /** The node name the lab gives it (n1, n2, … in the target's order). */
  name: string;
  address: string;
  sshPort: number;
  mysqlPort: number;
  /** attach: the operator's command per fault; absent ones are faults the lab may not cause. */
  commands: Partial<Record<AttachCommand, string>>;
  /** attach: the lab may add its own iptables chain on this host (install mode always may). */
  partitions: boolean;
}

export interface SshTarget {
  file: string;
  name: string;
  mode: SshMode;
  ssh: SshAuth;
  hosts: SshHost[];
  /** attach: the MySQL account for the workload (install mode makes its own). */
  database: string;
  user: string | null;
  passwordEnv: string | null;
}

const TOP = ['name', 'mode', 'ssh', 'hosts', 'database', 'user', 'passwordEnv'];
const SSH = [
  'user',
  'identityFile',
  'identityEnv',
  'passphraseEnv',
  'passwordEnv',
  'agent',
  'knownHosts',
  'acceptNewHostKeys',
  'sudo',
];
const HOST = ['address', 'sshPort', 'mysqlPort', 'commands', 'partitions'];
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ADDRESS = /^[A-Za-z0-9.:-]+$/;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * A path from the target: `~/` is the home directory, a relative path is relative to the target
 * file.
 */
export function targetPath(p: string, file: string): string {
  if (p.startsWith('~/')) return resolve(homedir(), p.slice(2));
  return isAbsolute(p) ? p : resolve(dirname(file), p);
}

export function parseSshTarget(
  text: string,
  file: string,
  opts: { checkFiles?: boolean } = {},
): SshTarget {
  const checkFiles = opts.checkFiles ?? true;
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (e) {
    const where = e instanceof YAMLParseError && e.linePos ? ` (line ${e.linePos[0].line})` : '';
    throw new TargetError(file, [`not valid YAML${where}: ${(e as Error).message.split('\n')[0]}`]);
  }
  if (!isObj(raw))
    throw new TargetError(file, [`(top level): must be a mapping, got ${show(raw)}`]);
  const problems: string[] = [];
  const unknown = (o: Obj, allowed: string[], at: string) => {
    for (const k of Object.keys(o))
      if (!allowed.includes(k))
        problems.push(`${at}${k}: unknown field; allowed: ${allowed.join(', ')}`);
  };
  const str = (o: Obj, k: string, at: string, required: string | null): string | null => {
    const v = o[k];
    if (v === undefined || v === null) {
      if (required) problems.push(`${at}${k}: required; ${required}`);
      return null;
    }
    if (typeof v !== 'string' || v.trim() === '') {
      problems.push(`${at}${k}: must be a non-empty string, got ${show(v)}`);
      return null;
    }
    return v;
  };
  const bool = (o: Obj, k: string, at: string): boolean => {
    const v = o[k];
    if (v === undefined || v === null) return false;
    if (typeof v !== 'boolean') problems.push(`${at}${k}: must be true or false, got ${show(v)}`);
    return v === true;
  };
  const port = (o: Obj, k: string, at: string, dflt: number): number => {
    const v = o[k];
    if (v === undefined || v === null) return dflt;
    if (typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 65535) return v;
    problems.push(`${at}${k}: must be a port from 1 to 65535, got ${show(v)}`);
    return dflt;
  };
  const envName = (o: Obj, k: string, at: string): string | null => {
    const v = str(o, k, at, null);
    if (v !== null && !ENV_NAME.test(v)) {
      problems.push(
        `${at}${k}: must name an environment variable (e.g. SSH_KEY), got ${show(v)}; put the secret in that variable, never in this file`,
      );
      return null;
    }
    return v;
  };

  unknown(raw, TOP, '');
  const name = str(raw, 'name', '', 'give the target a name') ?? '';
  const modeRaw = raw.mode;
  let mode: SshMode = 'install';
  if (modeRaw === 'install' || modeRaw === 'attach') mode = modeRaw;
  else
    problems.push(
      `mode: must be install (the lab installs and runs Galera) or attach (an existing cluster), got ${show(modeRaw)}`,
    );

  const sshRaw = raw.ssh ?? {};
  const s: Obj = isObj(sshRaw) ? sshRaw : {};
  if (!isObj(sshRaw)) problems.push(`ssh: must be a mapping, got ${show(sshRaw)}`);
  unknown(s, SSH, 'ssh.');
  for (const secret of ['password', 'privateKey', 'passphrase', 'key']) {
    if (secret in s)
      problems.push(
        `ssh.${secret}: secrets are never written in the target; use ssh.identityFile, ssh.identityEnv, ssh.passwordEnv or ssh.passphraseEnv`,
      );
  }
  const identityRaw = str(s, 'identityFile', 'ssh.', null);
  const identityFile = identityRaw === null ? null : targetPath(identityRaw, file);
  if (identityFile && checkFiles && !existsSync(identityFile))
    problems.push(
      `ssh.identityFile: no such file ${identityFile}; give the path of the private key (relative paths are relative to the target file)`,
    );
  const identityEnv = envName(s, 'identityEnv', 'ssh.');
  const passwordEnvSsh = envName(s, 'passwordEnv', 'ssh.');
  const agent = bool(s, 'agent', 'ssh.');
  if (!identityFile && !identityEnv && !passwordEnvSsh && !agent)
    problems.push(
      'ssh: no way to log in; set ssh.identityFile (a private key file), ssh.identityEnv, ssh.passwordEnv or ssh.agent: true',
    );
  if (identityFile && identityEnv)
    problems.push('ssh.identityEnv: give either ssh.identityFile or ssh.identityEnv, not both');
  const knownRaw = str(s, 'knownHosts', 'ssh.', null) ?? '~/.ssh/known_hosts';
  const ssh: SshAuth = {
    user: str(s, 'user', 'ssh.', null) ?? 'root',
    identityFile,
    identityEnv,
    passphraseEnv: envName(s, 'passphraseEnv', 'ssh.'),
    passwordEnv: passwordEnvSsh,
    agent,
    knownHosts: targetPath(knownRaw, file),
    acceptNewHostKeys: bool(s, 'acceptNewHostKeys', 'ssh.'),
    sudo: bool(s, 'sudo', 'ssh.'),
  };

  const hosts: SshHost[] = [];
  const hostsRaw = raw.hosts;
  if (!Array.isArray(hostsRaw) || hostsRaw.length === 0)
    problems.push(
      `hosts: must be a non-empty list of hosts (address, sshPort, mysqlPort), got ${show(hostsRaw)}`,
    );
  else
    hostsRaw.forEach((h, i) => {
      const at = `hosts[${i}].`;
      if (!isObj(h)) {
        problems.push(
          `hosts[${i}]: must be a mapping with address, sshPort and mysqlPort, got ${show(h)}`,
        );
        return;
      }
      unknown(h, HOST, at);
      const address =
        str(h, 'address', at, 'the host name or IP address the lab reaches it at') ?? '';
      if (address && !ADDRESS.test(address))
        problems.push(`${at}address: must be a host name or IP address, got ${show(address)}`);
      const commands: SshHost['commands'] = {};
      const c = h.commands;
      if (c !== undefined && c !== null) {
        if (!isObj(c))
          problems.push(
            `${at}commands: must be a mapping of ${ATTACH_COMMANDS.join(', ')} to a shell command, got ${show(c)}`,
          );
        else {
          unknown(c, [...ATTACH_COMMANDS], `${at}commands.`);
          for (const k of ATTACH_COMMANDS) {
            const v = str(c, k, `${at}commands.`, null);
            if (v !== null) commands[k] = v;
          }
        }
      }
      if (mode === 'install' && Object.keys(commands).length > 0)
        problems.push(
          `${at}commands: only used in attach mode (in install mode the lab runs the node itself); remove it or set mode: attach`,
        );
      if (mode === 'install' && h.partitions !== undefined)
        problems.push(
          `${at}partitions: only used in attach mode (install mode always may partition); remove it`,
        );
      if (commands.kill && !commands.start)
        problems.push(
          `${at}commands.start: required with commands.kill (the lab must be able to start what it killed)`,
        );
      if (commands.pause && !commands.resume)
        problems.push(
          `${at}commands.resume: required with commands.pause (the lab must be able to resume what it paused)`,
        );
      hosts.push({
        name: `n${i + 1}`,
        address,
        sshPort: port(h, 'sshPort', at, 22),
        mysqlPort: port(h, 'mysqlPort', at, 3306),
        commands,
        partitions: mode === 'install' || bool(h, 'partitions', at),
      });
    });
  const seen = new Map<string, number>();
  hosts.forEach((h, i) => {
    const key = `${h.address}:${h.mysqlPort}`;
    if (seen.has(key))
      problems.push(
        `hosts[${i}]: ${key} is also hosts[${seen.get(key)}]; every node needs its own address or MySQL port`,
      );
    seen.set(key, i);
  });

  let user: string | null = null;
  let passwordEnv: string | null = null;
  const database = str(raw, 'database', '', null) ?? 'bbs';
  if (!/^[A-Za-z0-9_]+$/.test(database))
    problems.push(`database: must be letters, digits and _, got ${show(database)}`);
  if (mode === 'attach') {
    user = str(raw, 'user', '', 'the MySQL user the workload connects as');
    passwordEnv = envName(raw, 'passwordEnv', '');
    if (raw.passwordEnv === undefined)
      problems.push(
        'passwordEnv: required in attach mode; name the environment variable that holds the MySQL password',
      );
  } else {
    if (raw.user !== undefined)
      problems.push(
        'user: only used in attach mode (install mode makes its own MySQL user); remove it',
      );
    if (raw.passwordEnv !== undefined)
      problems.push(
        'passwordEnv: only used in attach mode (install mode makes its own password); remove it',
      );
  }
  if (problems.length > 0) throw new TargetError(file, problems);
  return { file, name, mode, ssh, hosts, database, user, passwordEnv };
}

export function loadSshTarget(file: string): SshTarget {
  if (!existsSync(file))
    throw new TargetError(file, [
      'no such file; topology.target must be the path of an SSH target YAML (see docs/ssh-targets.md)',
    ]);
  return parseSshTarget(readFileSync(file, 'utf8'), file);
}

/** The node faults a scenario asks for, as the target's fields that must allow them. */
const NEEDS: Record<string, { fields: AttachCommand[] } | { partitions: true }> = {
  kill: { fields: ['kill', 'start'] },
  pause: { fields: ['pause', 'resume'] },
  partition: { partitions: true },
};

/**
 * Problems with running these fault kinds on this target, each naming the target field to set.
 * Install mode allows every node fault; attach mode only what each host's commands allow.
 */
export function refusedFaults(t: SshTarget, kinds: readonly string[]): string[] {
  if (t.mode === 'install') return [];
  const problems: string[] = [];
  for (const kind of new Set(kinds)) {
    const need = NEEDS[kind];
    if (!need) continue;
    t.hosts.forEach((h, i) => {
      if ('partitions' in need) {
        if (!h.partitions)
          problems.push(
            `hosts[${i}].partitions: the scenario has a ${kind} fault but ${h.address} does not allow the lab's iptables chain; set partitions: true or remove the fault`,
          );
        return;
      }
      for (const f of need.fields) {
        if (!h.commands[f])
          problems.push(
            `hosts[${i}].commands.${f}: the scenario has a ${kind} fault but ${h.address} names no ${f} command; add one or remove the fault`,
          );
      }
    });
  }
  return problems;
}

/** The environment's value, or a TargetError naming the field and the variable. */
export function fromEnv(
  field: string,
  name: string,
  file: string,
  env: NodeJS.ProcessEnv = process.env,
): string {
  const v = env[name];
  if (v === undefined || v === '')
    throw new TargetError(file, [
      `${field}: the environment variable ${name} is not set; export it`,
    ]);
  return v;
}

/**
 * The private key / password / agent options for a login, read from files and the environment only.
 */
export function loginSecrets(
  t: SshTarget,
  env: NodeJS.ProcessEnv = process.env,
): { privateKey?: Buffer; passphrase?: string; password?: string; agent?: string } {
  const out: { privateKey?: Buffer; passphrase?: string; password?: string; agent?: string } = {};
  if (t.ssh.identityFile) out.privateKey = readFileSync(t.ssh.identityFile);
  if (t.ssh.identityEnv)
    out.privateKey = Buffer.from(fromEnv('ssh.identityEnv', t.ssh.identityEnv, t.file, env));
  if (t.ssh.passphraseEnv)
    out.passphrase = fromEnv('ssh.passphraseEnv', t.ssh.passphraseEnv, t.file, env);
  if (t.ssh.passwordEnv) out.password = fromEnv('ssh.passwordEnv', t.ssh.passwordEnv, t.file, env);
  if (t.ssh.agent) {
    const sock = env.SSH_AUTH_SOCK;
    if (!sock)
      throw new TargetError(t.file, [
        'ssh.agent: SSH_AUTH_SOCK is not set; start ssh-agent and ssh-add the key, or use ssh.identityFile',
      ]);
    out.agent = sock;
  }
  return out;
}
