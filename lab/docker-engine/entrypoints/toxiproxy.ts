// The Toxiproxy image: Shopify's toxiproxy-server flags (-host, -port; -config, -seed and the
// metrics switches are accepted and ignored) → the lab's Toxiproxy-compatible server on the
// container's address. Unlike the real server, proxies it creates must listen on and connect to
// loopback addresses (lab/toxiproxy/address.ts).

import { startToxiproxyServer } from '../../toxiproxy/server.ts';
import { parseGoFlags, resolveHost } from '../names.ts';
import type { EntrypointConfig } from './config.ts';

export async function runToxiproxy(config: EntrypointConfig): Promise<void> {
  const args =
    config.cmd[0] === 'toxiproxy-server' || config.cmd[0] === '/toxiproxy'
      ? config.cmd.slice(1)
      : config.cmd;
  const { flags, positional } = parseGoFlags(args, [
    'proxy-metrics',
    'runtime-metrics',
    'version',
    'help',
    'h',
  ]);
  if (positional.length > 0)
    throw new Error(`toxiproxy-server: unexpected arguments ${positional.join(' ')}`);
  if (flags.has('version')) {
    process.stdout.write('toxiproxy-server version 2.12.0 (bbs-lab)\n');
    return;
  }
  const ctx = {
    self: config.address,
    hosts: new Map(Object.entries(config.hosts)),
    unresolved: config.gateway,
  };
  const host = resolveHost(flags.get('host') ?? 'localhost', ctx);
  const port = Number(flags.get('port') ?? 8474);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new Error(`toxiproxy-server: invalid -port ${flags.get('port')}`);
  const server = await startToxiproxyServer({ host, port });
  process.stdout.write(
    `{"level":"info","host":"${host}","port":"${port}","version":"2.12.0","message":"Starting Toxiproxy HTTP server"}\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = () => void server.stop().finally(resolve);
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}
