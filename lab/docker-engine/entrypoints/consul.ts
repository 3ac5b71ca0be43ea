// The Consul image: `agent` with -dev, -server, -bootstrap-expect, -client, -bind, -node,
// -datacenter, -http-port, -dns-port (others are accepted and ignored) → the lab's
// Consul-compatible agent (lab/consul/), a single-node server that is its own leader, HTTP on 8500
// and DNS on 8600 of the container's address. Clustering flags (-join, -retry-join) have nothing to
// join.

import { startConsulAgent } from '../../consul/agent.ts';
import { parseGoFlags, resolveHost } from '../names.ts';
import type { EntrypointConfig } from './config.ts';

const BOOLEANS = ['dev', 'server', 'ui', 'bootstrap', 'disable-host-node-id', 'version', 'help'];

export async function runConsul(config: EntrypointConfig): Promise<void> {
  const args = config.cmd[0] === 'consul' ? config.cmd.slice(1) : config.cmd;
  if (args[0] === 'version') {
    process.stdout.write('Consul v1.20.0 (bbs-lab agent)\n');
    return;
  }
  if (args[0] !== 'agent')
    throw new Error(
      `the lab's consul image runs "consul agent" only, got ${JSON.stringify(args.join(' '))}`,
    );
  const { flags } = parseGoFlags(args.slice(1), BOOLEANS);
  const ctx = {
    self: config.address,
    hosts: new Map(Object.entries(config.hosts)),
    unresolved: config.gateway,
  };
  const host = resolveHost((flags.get('client') ?? '127.0.0.1').split(/\s+/)[0]!, ctx);
  const port = Number(flags.get('http-port') ?? 8500);
  const dnsPort = Number(flags.get('dns-port') ?? 8600);
  const agent = await startConsulAgent({
    host,
    port,
    dnsPort,
    nodeName: flags.get('node') ?? config.hostname,
    datacenter: flags.get('datacenter') ?? 'dc1',
  });
  process.stdout.write(
    `==> Consul agent running!\n           Client Addr: [${agent.host}] (HTTP: ${agent.port}, DNS: ${agent.dns.port})\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = () => void agent.stop().finally(resolve);
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}
