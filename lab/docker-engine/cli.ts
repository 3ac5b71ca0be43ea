// `bbs-lab docker-engine [--socket PATH | --tcp PORT] [--subnets 127.0.100-127.0.109]`: runs the
// lab's engine in the foreground until Ctrl-C (which stops every container it started, removes its
// iptables chain and its work dir). Prints the DOCKER_HOST that reaches it.

import { startDockerEngine } from './engine.ts';

export async function cmdDockerEngine(argv: string[]): Promise<number> {
  const opts: { socketPath?: string; tcpPort?: number; subnets?: string } = {};
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.split('=', 2) as [string, string | undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag}: needs a value`);
      return v;
    };
    if (flag === '--socket') opts.socketPath = value();
    else if (flag === '--tcp') {
      const v = value();
      const port = Number(v);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new Error(`--tcp: must be a port number (0 for a free one), got ${v}`);
      opts.tcpPort = port;
    } else if (flag === '--subnets') opts.subnets = value();
    else
      throw new Error(
        `${flag}: unknown option; allowed: --socket PATH, --tcp PORT, --subnets RANGE`,
      );
  }
  if (opts.socketPath !== undefined && opts.tcpPort !== undefined)
    throw new Error('give --socket or --tcp, not both');
  const engine = await startDockerEngine({ ...opts, log: (m) => process.stderr.write(`${m}\n`) });
  process.stdout.write(`DOCKER_HOST=${engine.host}\n`);
  process.stderr.write(
    `the lab's Docker engine runs (networks in ${engine.subnets}); use it with DOCKER_HOST=${engine.host}; Ctrl-C stops it and everything it started\n`,
  );
  await new Promise(() => {});
  return 0;
}
