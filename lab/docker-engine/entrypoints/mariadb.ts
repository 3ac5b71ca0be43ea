// The MariaDB image's entrypoint (docker-library/mariadb docker-entrypoint.sh), for what the lab
// relies on, around Debian's mariadbd + galera-4 (the local provider's modules: installDatadir,
// mysqlIds, MARIADBD):
//
// - an empty datadir is initialised first: mariadb-install-db, a temporary server without
//   networking or wsrep, then root@'%' and root@localhost with MARIADB_ROOT_PASSWORD (or an empty
//   one with MARIADB_ALLOW_EMPTY_ROOT_PASSWORD, a printed random one with
//   MARIADB_RANDOM_ROOT_PASSWORD; none of the three is an error, as in the image), the database
//   MARIADB_DATABASE and the user MARIADB_USER / MARIADB_PASSWORD with every privilege on it; the
//   MYSQL_* names work too. An initialised datadir (a restarted container) is used as it is.
// - then mariadbd runs with the command's options (a first word starting with "-" means
//   mariadbd's options), with addresses resolved in the network (names.ts) and bound to the
//   container's address only, as the `mysql` user, in this process's group. Its exit is the
//   container's exit.

import { spawn, type ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  checkInstalled,
  installDatadir,
  MARIADBD,
  mysqlIds,
  MYSQL_USER,
} from '../../mariadb/install.ts';
import { mariadbServerArgs } from '../names.ts';
import { envMap, type EntrypointConfig } from './config.ts';

const exec = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const sqlString = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
export const sqlIdent = (s: string) => `\`${s.replace(/`/g, '``')}\``;

export interface InitEnv {
  rootPassword: string;
  rootHost: string;
  database: string | null;
  user: string | null;
  password: string | null;
  /** The random root password to print, when MARIADB_RANDOM_ROOT_PASSWORD asked for one. */
  generated: string | null;
}

/** The image's environment, or the image's error when no root password option is given. */
export function initEnv(env: readonly string[]): InitEnv {
  const m = envMap(env);
  const get = (k: string) => m.get(`MARIADB_${k}`) ?? m.get(`MYSQL_${k}`);
  const yes = (k: string) => {
    const v = get(k);
    return v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'no';
  };
  let rootPassword = get('ROOT_PASSWORD') ?? '';
  let generated: string | null = null;
  if (rootPassword === '' && !yes('ALLOW_EMPTY_ROOT_PASSWORD')) {
    if (yes('RANDOM_ROOT_PASSWORD')) rootPassword = generated = randomBytes(16).toString('hex');
    else {
      throw new Error(
        'Database is uninitialized and password option is not specified\n\tYou need to specify one of MARIADB_ROOT_PASSWORD, MARIADB_ROOT_PASSWORD_HASH, MARIADB_ALLOW_EMPTY_ROOT_PASSWORD and MARIADB_RANDOM_ROOT_PASSWORD',
      );
    }
  }
  const user = get('USER') || null;
  const password = get('PASSWORD') ?? null;
  if (user === 'root')
    throw new Error(
      'MARIADB_USER="root", MARIADB_USER and MARIADB_PASSWORD are for configuring a regular user and cannot be used for the root user',
    );
  if (user && (password === null || password === '') && !yes('ALLOW_EMPTY_ROOT_PASSWORD'))
    throw new Error('MARIADB_USER set, but MARIADB_PASSWORD is empty');
  return {
    rootPassword,
    rootHost: get('ROOT_HOST') || '%',
    database: get('DATABASE') || null,
    user,
    password,
    generated,
  };
}

/** The SQL the image runs on the temporary server of a new datadir. */
export function initSql(e: InitEnv): string {
  const pw = sqlString(e.rootPassword);
  const sql = [
    // Only root and the system accounts remain (no anonymous users), as the image does.
    "DELETE FROM mysql.global_priv WHERE user NOT IN ('mysql.sys', 'mariadb.sys', 'mysqlxsys', 'root') OR host NOT IN ('localhost')",
    `ALTER USER 'root'@'localhost' IDENTIFIED VIA unix_socket OR mysql_native_password USING PASSWORD(${pw})`,
  ];
  if (e.rootHost !== 'localhost') {
    sql.push(
      `CREATE USER 'root'@${sqlString(e.rootHost)} IDENTIFIED BY ${pw}`,
      `GRANT ALL ON *.* TO 'root'@${sqlString(e.rootHost)} WITH GRANT OPTION`,
    );
  }
  if (e.database) sql.push(`CREATE DATABASE IF NOT EXISTS ${sqlIdent(e.database)}`);
  if (e.user) {
    sql.push(`CREATE USER ${sqlString(e.user)}@'%' IDENTIFIED BY ${sqlString(e.password ?? '')}`);
    if (e.database) sql.push(`GRANT ALL ON ${sqlIdent(e.database)}.* TO ${sqlString(e.user)}@'%'`);
  }
  sql.push('FLUSH PRIVILEGES');
  return `${sql.join(';\n')};\n`;
}

function serverConfig(dir: string, address: string): string {
  return `[mysqld]
datadir=${join(dir, 'data')}
socket=${join(dir, 'mariadbd.sock')}
pid-file=${join(dir, 'mariadbd.pid')}
tmpdir=${join(dir, 'tmp')}
port=3306
bind-address=${address}
user=${MYSQL_USER}
skip-name-resolve
wsrep_node_address=${address}
wsrep_sst_receive_address=${address}:4444
`;
}

export async function runMariadb(
  dir: string,
  config: EntrypointConfig,
  note: (m: string) => void,
): Promise<void> {
  const args = mariadbServerArgs(config.cmd, {
    self: config.address,
    hosts: new Map(Object.entries(config.hosts)),
    unresolved: config.gateway,
  });
  if (!args)
    throw new Error(
      `the lab's mariadb image runs mariadbd only; its command must be mariadbd options (or start with mariadbd), got ${JSON.stringify(config.cmd.join(' '))}`,
    );
  checkInstalled();
  const { uid, gid } = mysqlIds();
  const data = join(dir, 'data');
  const tmp = join(dir, 'tmp');
  const socket = join(dir, 'mariadbd.sock');
  const cnf = join(dir, 'my.cnf');
  for (const d of [data, tmp]) mkdirSync(d, { recursive: true });
  writeFileSync(cnf, serverConfig(dir, config.address));
  for (const d of [dir, data, tmp]) chownSync(d, uid, gid);

  let current: ChildProcess | null = null;
  let terminated: NodeJS.Signals | null = null;
  let serving = false;
  // The engine signals the whole group; during initialisation this process ends the container,
  // while mariadbd serves it only passes the signal on (mariadbd's exit is the container's).
  const onSignal = (sig: NodeJS.Signals) => {
    if (serving) {
      current?.kill(sig);
      return;
    }
    terminated = sig;
    current?.kill('SIGKILL');
    process.exit(128 + (osConstants.signals[sig] ?? 0));
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));

  if (!existsSync(join(data, 'mysql'))) {
    const env = initEnv(config.env);
    note('Initializing database files');
    await installDatadir(data, tmp, config.name);
    note('Database files initialized');
    note('Starting temporary server');
    const temp = spawn(
      MARIADBD,
      [
        '--no-defaults',
        `--datadir=${data}`,
        `--tmpdir=${tmp}`,
        `--socket=${socket}`,
        `--pid-file=${join(dir, 'init.pid')}`,
        '--skip-networking',
        `--user=${MYSQL_USER}`,
        '--wsrep-on=OFF',
      ],
      { stdio: ['ignore', 'inherit', 'inherit'] },
    );
    current = temp;
    const tempExit = new Promise<void>((resolve) => temp.on('exit', () => resolve()));
    const admin = (sql: string) =>
      exec('mariadb', ['--no-defaults', `--socket=${socket}`, '-uroot', '-e', sql], {
        timeout: 30_000,
      });
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (terminated) return;
      try {
        await admin('SELECT 1');
        break;
      } catch (e) {
        if (temp.exitCode !== null || Date.now() > deadline)
          throw new Error(
            `the temporary server did not start: ${(e as Error).message.split('\n')[0]}`,
          );
        await sleep(200);
      }
    }
    note('Temporary server started.');
    if (env.generated) note(`GENERATED ROOT PASSWORD: ${env.generated}`);
    await admin(initSql(env)).catch((e: Error & { stderr?: string }) => {
      throw new Error(`initialising users failed: ${e.stderr ?? e.message}`);
    });
    if (env.database) note(`Creating database ${env.database}`);
    if (env.user) note(`Creating user ${env.user}`);
    note('Stopping temporary server');
    temp.kill('SIGTERM');
    await tempExit;
    note('Temporary server stopped');
    note('MariaDB init process done. Ready for start up.');
  } else {
    note('MariaDB already initialized: skipping the initialisation');
  }
  if (terminated) return;
  const server = spawn(MARIADBD, [`--defaults-file=${cnf}`, ...args], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  current = server;
  serving = true;
  const { code, signal } = await new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
  }>((resolve) => server.on('exit', (c, s) => resolve({ code: c, signal: s })));
  process.exit(code ?? 128 + (signal ? (osConstants.signals[signal] ?? 0) : 0));
}
