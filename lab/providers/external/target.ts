// An external target: MySQL the lab did not start (an RDS instance, a standalone or HA CF-MySQL,
// or any MySQL/MariaDB), described in a small YAML file. The lab runs its workload and checkers
// against it; it can only cause the faults it controls from its own side (link toxics between the
// clients and the target), never kill, pause or partition the target's nodes.
//
//   name: cf-mysql-ha
//   hosts: [10.0.16.4, 10.0.16.5:3307]   # one or several; each "host" or "host:port"
//   port: 3306                           # default port for hosts without one
//   database: bbs
//   user: bbs
//   passwordEnv: BBS_DB_PASSWORD         # the password is read from this environment variable
//   tls: false                           # true: TLS, verified against caFile (or the system CAs)
//   caFile: /path/to/ca.pem

import { existsSync, readFileSync } from 'node:fs';
import { parse, YAMLParseError } from 'yaml';
import { show } from '../../schema/schema.ts';

export interface ExternalTarget {
  name: string;
  hosts: { host: string; port: number }[];
  database: string;
  user: string;
  passwordEnv: string;
  tls: boolean;
  caFile: string | null;
}

export class TargetError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: invalid target\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
}

const FIELDS = ['name', 'hosts', 'port', 'database', 'user', 'passwordEnv', 'tls', 'caFile'];

export function parseTarget(text: string, file = 'target.yaml'): ExternalTarget {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (e) {
    const where = e instanceof YAMLParseError && e.linePos ? ` (line ${e.linePos[0].line})` : '';
    throw new TargetError(file, [`not valid YAML${where}: ${(e as Error).message.split('\n')[0]}`]);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw new TargetError(file, [`(top level): must be a mapping, got ${show(raw)}`]);
  const o = raw as Record<string, unknown>;
  const problems: string[] = [];
  for (const k of Object.keys(o))
    if (!FIELDS.includes(k)) problems.push(`${k}: unknown field; allowed: ${FIELDS.join(', ')}`);
  const str = (k: string, required: boolean): string => {
    const v = o[k];
    if (v === undefined || v === null) {
      if (required) problems.push(`${k}: required`);
      return '';
    }
    if (typeof v !== 'string' || v.trim() === '') {
      problems.push(`${k}: must be a non-empty string, got ${show(v)}`);
      return '';
    }
    return v;
  };
  const name = str('name', true);
  const database = str('database', true);
  const user = str('user', true);
  const passwordEnv = str('passwordEnv', true);
  if (passwordEnv && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(passwordEnv))
    problems.push(
      `passwordEnv: must be an environment variable name such as BBS_DB_PASSWORD, got ${show(passwordEnv)}`,
    );
  let port = 3306;
  if (o.port !== undefined) {
    if (typeof o.port === 'number' && Number.isInteger(o.port) && o.port >= 1 && o.port <= 65535)
      port = o.port;
    else problems.push(`port: must be an integer from 1 to 65535, got ${show(o.port)}`);
  }
  const hosts: ExternalTarget['hosts'] = [];
  const h = o.hosts;
  if (h === undefined) problems.push('hosts: required: a list of "host" or "host:port"');
  else if (!Array.isArray(h) || h.length === 0)
    problems.push(`hosts: must be a non-empty list of "host" or "host:port", got ${show(h)}`);
  else
    h.forEach((x, i) => {
      const m = typeof x === 'string' ? /^([A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(x.trim()) : null;
      if (!m || (m[2] !== undefined && (Number(m[2]) < 1 || Number(m[2]) > 65535)))
        problems.push(`hosts[${i}]: must be "host" or "host:port", got ${show(x)}`);
      else hosts.push({ host: m[1]!, port: m[2] !== undefined ? Number(m[2]) : port });
    });
  let tls = false;
  if (o.tls !== undefined) {
    if (typeof o.tls === 'boolean') tls = o.tls;
    else problems.push(`tls: must be true or false, got ${show(o.tls)}`);
  }
  const caFile = o.caFile === undefined ? null : str('caFile', false) || null;
  if (caFile && !tls) problems.push('caFile: only used with tls: true');
  if (caFile && !existsSync(caFile)) problems.push(`caFile: no such file ${caFile}`);
  if (problems.length > 0) throw new TargetError(file, problems);
  return { name, hosts, database, user, passwordEnv, tls, caFile };
}

export function loadTarget(file: string): ExternalTarget {
  if (!existsSync(file)) throw new TargetError(file, ['no such file']);
  return parseTarget(readFileSync(file, 'utf8'), file);
}

/** The password from the environment, or a problem naming the variable to set. */
export function targetPassword(t: ExternalTarget, env: NodeJS.ProcessEnv = process.env): string {
  const p = env[t.passwordEnv];
  if (p === undefined)
    throw new TargetError(t.name, [
      `passwordEnv: the environment variable ${t.passwordEnv} is not set; export it with the database password`,
    ]);
  return p;
}
