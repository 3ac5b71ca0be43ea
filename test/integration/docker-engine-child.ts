// A lab that starts the lab's Docker engine with one disconnected container, prints what it made,
// and waits to be killed: docker-engine.test.ts SIGKILLs it and checks that `bbs-lab cleanup`
// removes what it left (the container's process, the work dir, the iptables chain).

import Docker from 'dockerode';
import { startDockerEngine } from '../../lab/docker-engine/engine.ts';

const engine = await startDockerEngine({ subnets: '127.0.54-127.0.54' });
const docker = new Docker(engine.dockerOptions);
const image = 'ghcr.io/shopify/toxiproxy:2.12.0';
const stream = await docker.pull(image);
await new Promise<void>((resolve, reject) =>
  docker.modem.followProgress(stream, (e: Error | null) => (e ? reject(e) : resolve())),
);
await docker.createNetwork({ Name: 'crash' });
const c = await docker.createContainer({
  name: 'crash-tp',
  Image: image,
  HostConfig: { NetworkMode: 'crash' },
});
await c.start();
await docker.getNetwork('crash').disconnect({ Container: 'crash-tp' });
const info = await c.inspect();
process.stdout.write(`${JSON.stringify({ workDir: engine.workDir, pid: info.State.Pid })}\n`);
setInterval(() => {}, 1000);
