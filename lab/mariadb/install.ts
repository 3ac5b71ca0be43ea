// MariaDB + Galera as Debian installs them, and how a node's empty datadir is made: what the local
// provider and the lab's Docker engine (its MariaDB image) both run.

import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';

const exec = promisify(execFile);

export const GALERA_PROVIDER = '/usr/lib/galera/libgalera_smm.so';
export const MARIADBD = '/usr/sbin/mariadbd';

export class ClusterStartError extends Error {}

export const MYSQL_USER = 'mysql';

/** The uid and gid of the `mysql` user every mariadbd runs as (rsync SST fails as root). */
export function mysqlIds(): { uid: number; gid: number } {
  const passwd = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${MYSQL_USER}:`));
  if (!passwd)
    throw new ClusterStartError(
      'the mysql user does not exist: install mariadb-server (npm run setup)',
    );
  const parts = passwd.split(':');
  return { uid: Number(parts[2]), gid: Number(parts[3]) };
}

export function checkInstalled(): void {
  const missing = [
    MARIADBD,
    GALERA_PROVIDER,
    '/usr/bin/rsync',
    '/usr/bin/mariadb-install-db',
  ].filter((p) => !existsSync(p));
  if (missing.length > 0) {
    throw new ClusterStartError(
      `missing ${missing.join(', ')}: run \`npm run setup\` as root to install mariadb-server, galera-4 and rsync`,
    );
  }
}

/**
 * An empty datadir for one node: `mariadb-install-db` with root reachable over the unix socket
 * only.
 * --no-defaults: the bootstrap server must not load the wsrep provider; its own --tmpdir, because
 * parallel bootstraps sharing /tmp delete each other's temporary tables.
 */
export async function installDatadir(dataDir: string, tmpDir: string, name: string): Promise<void> {
  await exec(
    'mariadb-install-db',
    [
      '--no-defaults',
      `--datadir=${dataDir}`,
      `--tmpdir=${tmpDir}`,
      `--user=${MYSQL_USER}`,
      '--skip-test-db',
      '--auth-root-authentication-method=socket',
    ],
    { timeout: 60_000 },
  ).catch((e: Error & { stderr?: string; stdout?: string }) => {
    const out = [e.stderr, e.stdout, e.message].filter(Boolean).join('\n').trim();
    throw new ClusterStartError(
      `mariadb-install-db failed for ${name}: ${out.split('\n').slice(-12).join('\n')}`,
    );
  });
}
