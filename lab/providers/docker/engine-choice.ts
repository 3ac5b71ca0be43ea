// Which Docker engine the provider talks to: a real one (DOCKER_HOST, else /var/run/docker.sock,
// as dockerode finds it) when it answers, else the lab's own engine (lab/docker-engine), started
// in this process and stopped with the cluster. 'real' insists on a real engine, 'lab' always
// starts the lab's; 'auto' (the default) prefers a real one.

import Docker from 'dockerode';
import { startDockerEngine, type DockerEngine } from '../../docker-engine/engine.ts';

export type EngineChoice = 'auto' | 'real' | 'lab';

export interface EngineHandle {
  docker: Docker;
  kind: 'real' | 'lab';
  /** For logs: where the engine is. */
  describe: string;
  /** Stops the lab's engine when this handle started it; a real engine is left alone. */
  close(): Promise<void>;
}

export async function dockerAvailable(docker = new Docker()): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      docker.ping(),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), 2000))),
    ]);
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

const realEngineName = () => process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';

export async function connectDockerEngine(
  choice: EngineChoice = 'auto',
  opts: { subnets?: string; log?: (m: string) => void } = {},
): Promise<EngineHandle> {
  const log = opts.log ?? (() => {});
  if (choice !== 'lab') {
    const real = new Docker();
    if (await dockerAvailable(real))
      return {
        docker: real,
        kind: 'real',
        describe: `the Docker engine at ${realEngineName()}`,
        close: async () => {},
      };
    if (choice === 'real') {
      throw new Error(
        `topology.engine is real, but no Docker engine answers at ${realEngineName()}; start one (or set DOCKER_HOST), or use engine: lab (or auto) for the lab's own engine`,
      );
    }
  }
  const engine: DockerEngine = await startDockerEngine({
    ...(opts.subnets ? { subnets: opts.subnets } : {}),
    log,
  });
  return {
    docker: new Docker(engine.dockerOptions),
    kind: 'lab',
    describe: `the lab's Docker engine at ${engine.host} (networks in ${engine.subnets})`,
    close: () => engine.stop(),
  };
}
