// A container's first process: `node --import tsx main.ts <container dir>`. It reads the start's
// config.json and runs the image's entrypoint. The engine runs it in a process group of its own and
// signals the group (kill, stop, pause); the container's exit code is this process's.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EntrypointConfig } from './config.ts';

const dir = process.argv[2];
if (!dir) {
  process.stderr.write('usage: main.ts <container dir>\n');
  process.exit(2);
}
const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as EntrypointConfig;
const note = (m: string) =>
  process.stderr.write(`${new Date().toISOString()} [Note] [Entrypoint]: ${m}\n`);
try {
  switch (config.kind) {
    case 'mariadb':
      await (await import('./mariadb.ts')).runMariadb(dir, config, note);
      break;
    case 'toxiproxy':
      await (await import('./toxiproxy.ts')).runToxiproxy(config);
      break;
    case 'consul':
      await (await import('./consul.ts')).runConsul(config);
      break;
  }
  process.exit(0);
} catch (e) {
  process.stderr.write(
    `${new Date().toISOString()} [ERROR] [Entrypoint]: ${(e as Error).message}\n`,
  );
  process.exit(1);
}
