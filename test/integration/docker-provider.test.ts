// The Docker provider against a real engine. This machine has none: the test is then reported as
// skipped (never as passed). Where DOCKER_HOST or /var/run/docker.sock answers, it runs the shared
// scenario (docker-scenario.ts): a 3-node cluster from the MariaDB image replicates a write,
// survives a kill and a restart, and leaves no container or network of its run behind. The same
// scenario runs against the lab's own engine in docker-engine-provider.test.ts.

import test from 'ava';
import Docker from 'dockerode';
import { dockerAvailable } from '../../lab/providers/docker/provider.ts';
import { galeraFromImages } from './docker-scenario.ts';

const engine = await dockerAvailable();
const maybe = engine ? test : test.skip;

maybe(
  'a 3-node Galera cluster from images replicates, survives a kill, and leaves nothing (real engine)',
  async (t) => {
    await galeraFromImages(t, new Docker(), { basePort: 43306 });
  },
);
