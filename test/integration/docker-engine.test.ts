// The lab's Docker engine through dockerode, with the light images (the lab's Toxiproxy and Consul
// as containers): the API's answers and errors, container state true to the process (pause,
// kill, stop, an exit from outside), published ports, label filters, network disconnects cutting
// traffic, and cleanup after a lab that was SIGKILLed. Networks on 127.0.52.0/24–127.0.54.0/24.

import test from 'ava';
import Docker from 'dockerode';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { startDockerEngine, type DockerEngine } from '../../lab/docker-engine/engine.ts';
import { chainOwner, listLabChains } from '../../lab/network/iptables.ts';
import { freePortRange } from '../../lab/providers/docker/provider.ts';
import { labTempPath, processesMentioning, stopOnTeardown, waitFor } from './helpers.ts';

const TOXIPROXY = 'ghcr.io/shopify/toxiproxy:2.12.0';
const CONSUL = 'hashicorp/consul:1.20';

let engine: DockerEngine;
let docker: Docker;

test.before(async () => {
  engine = await startDockerEngine({ subnets: '127.0.52-127.0.53' });
  docker = new Docker(engine.dockerOptions);
});
test.after.always(async () => {
  await engine?.stop();
});

const pull = async (image: string) => {
  const stream = await docker.pull(image);
  return new Promise<unknown[]>((resolve, reject) =>
    docker.modem.followProgress(stream, (e: Error | null, out: unknown[]) =>
      e ? reject(e) : resolve(out),
    ),
  );
};

/** A raw request on the engine's socket (the paths dockerode does not build). */
function raw(method: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: engine.socketPath!, method, path }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Whether a TCP connection from `from` to host:port opens within `ms`. */
function reachable(host: string, port: number, from: string, ms = 1500): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port, localAddress: from });
    const done = (ok: boolean) => {
      clearTimeout(timer);
      s.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), ms);
    s.on('connect', () => done(true));
    s.on('error', () => done(false));
  });
}

const apiVersion = (url: string) =>
  fetch(url, { signal: AbortSignal.timeout(1000) }).then(
    (r) => r.json() as Promise<{ version: string }>,
  );

test.serial(
  'ping, version and info answer on versioned and unversioned paths; unknown images fail the pull with 404',
  async (t) => {
    t.is(String(await docker.ping()), 'OK');
    t.is((await docker.version()).ApiVersion, '1.43');
    const versioned = new Docker({
      ...engine.dockerOptions,
      version: 'v1.41',
    } as Docker.DockerOptions);
    t.is(String(await versioned.ping()), 'OK');
    t.deepEqual((await raw('GET', '/v1.41/_ping')).status, 200);
    const tooNew = await raw('GET', '/v1.99/version');
    t.is(tooNew.status, 400);
    t.regex(JSON.parse(tooNew.body).message, /too new/);
    t.is((await raw('POST', '/containers/x/exec')).status, 404);
    t.regex((await docker.info()).Labels.join(), /127\.0\.52-127\.0\.53/);
    const err = await pull('postgres:16').then(
      () => null,
      (e: Error & { statusCode?: number; json?: { message?: string } }) => e,
    );
    t.is(err?.statusCode, 404);
    t.regex(err?.message ?? '', /repository does not exist/);
    await t.throwsAsync(
      docker.getImage(TOXIPROXY).inspect(),
      { message: /No such image/ },
      'not pulled yet',
    );
    await pull(TOXIPROXY);
    t.deepEqual((await docker.getImage(TOXIPROXY).inspect()).RepoTags, [TOXIPROXY]);
    await t.throwsAsync(docker.createContainer({ Image: 'hashicorp/consul:9.9' }), {
      message: /No such image/,
    });
  },
);

test.serial(
  'a container is its process: running, paused (no answers), unpaused, stopped, killed from outside, started again',
  async (t) => {
    await pull(TOXIPROXY);
    const net = await docker.createNetwork({ Name: 'life', Labels: { 'bbs-lab.test': 'life' } });
    const [port] = [await freePortRange(1)];
    const c = await docker.createContainer({
      name: 'life-tp',
      Image: TOXIPROXY,
      Cmd: ['-host=0.0.0.0'],
      Labels: { 'bbs-lab.test': 'life', role: 'proxy' },
      HostConfig: {
        NetworkMode: 'life',
        PortBindings: { '8474/tcp': [{ HostIp: '127.0.0.1', HostPort: String(port) }] },
      },
      NetworkingConfig: { EndpointsConfig: { life: { Aliases: ['toxiproxy'] } } },
    });
    t.is((await c.inspect()).State.Status, 'created');
    await c.start();
    await t.throwsAsync(c.start(), { message: /HTTP code 304/ }, 'already started: 304');
    const url = `http://127.0.0.1:${port}/version`;
    await waitFor(
      'the published port to answer',
      () =>
        apiVersion(url).then(
          () => true,
          () => false,
        ),
      15_000,
    );
    const info = await c.inspect();
    t.like(info.State, { Status: 'running', Running: true, Paused: false });
    t.regex(info.NetworkSettings.Networks.life!.IPAddress, /^127\.0\.5[23]\.2$/);
    t.deepEqual(info.NetworkSettings.Networks.life!.Aliases, ['toxiproxy']);

    const listed = await docker.listContainers({
      filters: JSON.stringify({ label: ['bbs-lab.test=life', 'role'] }),
    });
    t.deepEqual(
      listed.map((x) => x.Names),
      [['/life-tp']],
    );
    t.is(listed[0]!.Ports[0]!.PublicPort, port);
    t.deepEqual(
      await docker.listContainers({ filters: JSON.stringify({ label: ['bbs-lab.test=other'] }) }),
      [],
    );
    t.deepEqual(
      (
        await docker.listNetworks({ filters: JSON.stringify({ label: ['bbs-lab.test=life'] }) })
      ).map((n) => n.Name),
      ['life'],
    );
    t.deepEqual(Object.keys((await net.inspect()).Containers ?? {}), [info.Id]);

    await c.pause();
    t.like((await c.inspect()).State, { Status: 'paused', Running: true, Paused: true });
    t.is(
      await apiVersion(url).then(
        () => 'answered',
        () => 'no answer',
      ),
      'no answer',
      'a paused process answers nothing',
    );
    await t.throwsAsync(c.pause(), { message: /already paused/ });
    await c.unpause();
    t.truthy(await apiVersion(url), 'answers again after unpause');
    await t.throwsAsync(c.unpause(), { message: /not paused/ });

    await c.stop({ t: 5 });
    t.like((await c.inspect()).State, { Status: 'exited', Running: false, ExitCode: 0 });
    t.is(
      await apiVersion(url).then(
        () => 'answered',
        () => 'closed',
      ),
      'closed',
      'a stopped container publishes nothing',
    );
    t.deepEqual(
      await docker.listContainers({ filters: JSON.stringify({ label: ['bbs-lab.test=life'] }) }),
      [],
      'not listed without all',
    );
    t.is(
      (
        await docker.listContainers({
          all: true,
          filters: JSON.stringify({ label: ['bbs-lab.test=life'], status: ['exited'] }),
        })
      ).length,
      1,
    );

    await c.start();
    const pid = (await c.inspect()).State.Pid;
    const waited = c.wait();
    process.kill(pid, 'SIGKILL');
    t.is((await waited).StatusCode, 137, 'a process killed from outside: 128 + 9');
    t.like((await c.inspect()).State, { Status: 'exited', Running: false, ExitCode: 137 });

    await c.start();
    await waitFor(
      'the restarted container to answer',
      () =>
        apiVersion(url).then(
          () => true,
          () => false,
        ),
      15_000,
    );
    await t.throwsAsync(net.remove(), { message: /has active endpoints/ });
    await t.throwsAsync(c.remove(), { message: /cannot remove a running container/ });
    await c.kill();
    t.is((await c.inspect()).State.ExitCode, 137);
    await t.throwsAsync(c.kill(), { message: /is not running/ });
    t.regex(
      (await c.logs({ stdout: true, stderr: true })).toString(),
      /Starting Toxiproxy HTTP server/,
    );
    await c.remove();
    await t.throwsAsync(c.inspect(), { message: /No such container/ });
    await net.remove();
    t.deepEqual(processesMentioning(engine.workDir), []);
  },
);

test.serial(
  'requests the engine refuses: another HostIp, a second name, a subnet of its own, an entrypoint',
  async (t) => {
    await pull(TOXIPROXY);
    await t.throwsAsync(
      docker.createContainer({
        Image: TOXIPROXY,
        HostConfig: { PortBindings: { '8474/tcp': [{ HostIp: '0.0.0.0', HostPort: '1' }] } },
      }),
      { message: /HTTP code 400.*127\.0\.0\.1 only/ },
    );
    await t.throwsAsync(
      docker.createNetwork({
        Name: 'sub',
        IPAM: { Config: [{ Subnet: '10.0.0.0/24' }] },
      } as Docker.NetworkCreateOptions),
      { message: /HTTP code 400/ },
    );
    await t.throwsAsync(docker.createContainer({ Image: TOXIPROXY, Entrypoint: ['/bin/sh'] }), {
      message: /HTTP code 400.*Entrypoint/,
    });
    const c = await docker.createContainer({ name: 'twice', Image: TOXIPROXY });
    await t.throwsAsync(docker.createContainer({ name: 'twice', Image: TOXIPROXY }), {
      message: /HTTP code 409.*already in use/,
    });
    await c.remove();
    await t.throwsAsync(docker.listContainers({ filters: JSON.stringify({ colour: ['red'] }) }), {
      message: /invalid filter 'colour'/,
    });
  },
);

test.serial(
  'consul: HTTP and DNS (UDP) through published ports; a network disconnect cuts its address off from the network, connect restores it',
  async (t) => {
    await pull(CONSUL);
    await pull(TOXIPROXY);
    await docker.createNetwork({ Name: 'cut' });
    const [http, dns] = [await freePortRange(1), await freePortRange(1)];
    const consul = await docker.createContainer({
      name: 'cut-consul',
      Image: CONSUL,
      HostConfig: {
        NetworkMode: 'cut',
        PortBindings: {
          '8500/tcp': [{ HostIp: '127.0.0.1', HostPort: String(http) }],
          '8600/udp': [{ HostIp: '127.0.0.1', HostPort: String(dns) }],
        },
      },
    });
    const other = await docker.createContainer({
      name: 'cut-other',
      Image: TOXIPROXY,
      HostConfig: { NetworkMode: 'cut' },
    });
    await consul.start();
    await other.start();
    const leader = `http://127.0.0.1:${http}/v1/status/leader`;
    await waitFor(
      'consul to answer',
      () =>
        fetch(leader).then(
          (r) => r.ok,
          () => false,
        ),
      15_000,
    );
    const consulAddr = (await consul.inspect()).NetworkSettings.Networks.cut!.IPAddress;
    const otherAddr = (await other.inspect()).NetworkSettings.Networks.cut!.IPAddress;
    t.is(
      await (await fetch(leader)).json(),
      `${consulAddr}:8300`,
      'the agent runs on the container address',
    );
    const { Resolver } = await import('node:dns/promises');
    const resolver = new Resolver({ timeout: 2000, tries: 1 });
    resolver.setServers([`127.0.0.1:${dns}`]);
    t.deepEqual(
      await resolver.resolve4('consul.service.consul'),
      [consulAddr],
      'DNS over the UDP forwarder',
    );

    t.true(await reachable(consulAddr, 8500, otherAddr), 'another container reaches it');
    await docker.getNetwork('cut').disconnect({ Container: 'cut-consul' });
    const chains = (await listLabChains()).filter((c) => chainOwner(c) === process.pid);
    t.is(chains.length, 1);
    t.false(await reachable(consulAddr, 8500, otherAddr), 'cut off from the others in its network');
    t.true(
      await fetch(leader).then((r) => r.ok),
      'its published port still answers (forwarded from 127.0.0.1)',
    );
    t.deepEqual(
      Object.keys((await docker.getNetwork('cut').inspect()).Containers ?? {}).length,
      1,
      'only the other endpoint is left',
    );
    await t.throwsAsync(docker.getNetwork('cut').disconnect({ Container: 'cut-consul' }), {
      message: /not connected/,
    });
    await docker.getNetwork('cut').connect({ Container: 'cut-consul' });
    t.true(await reachable(consulAddr, 8500, otherAddr), 'reachable again after connect');
    await consul.remove({ force: true });
    await other.remove({ force: true });
    await docker.getNetwork('cut').remove();
  },
);

test.serial(
  'after a lab killed with SIGKILL, bbs-lab cleanup kills its containers, removes its work dir and its iptables chain',
  async (t) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(new URL('./docker-engine-child.ts', import.meta.url))],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    stopOnTeardown(t, child, 'SIGKILL');
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d) => {
        out += d;
        if (out.includes('\n')) resolve(out.split('\n')[0]!);
      });
      child.on('exit', (code) => reject(new Error(`the child lab exited with ${code}`)));
    });
    const { workDir, pid } = JSON.parse(line) as { workDir: string; pid: number };
    const chainsOf = async (owner: number) =>
      (await listLabChains()).filter((c) => chainOwner(c) === owner);
    t.is((await chainsOf(child.pid!)).length, 1);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    t.true(processesMentioning(workDir).includes(pid), "the container's process outlived its lab");
    const res = spawnSync(process.execPath, ['bin/bbs-lab.js', 'cleanup'], { encoding: 'utf8' });
    t.is(res.status, 0, res.stderr);
    t.regex(
      res.stdout,
      new RegExp(`removed ${workDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(\\d+ process`),
    );
    t.regex(res.stdout, new RegExp(`removed iptables chain BBSLAB-${child.pid}-`));
    await waitFor(
      'the container process to be gone',
      () => processesMentioning(workDir).length === 0,
      5000,
    );
    t.false(existsSync(workDir));
    t.deepEqual(await chainsOf(child.pid!), []);
  },
);

test.serial(
  'bbs-lab docker-engine runs the engine in the foreground, prints its DOCKER_HOST, and Ctrl-C stops what it started',
  async (t) => {
    const child = spawn(
      process.execPath,
      ['bin/bbs-lab.js', 'docker-engine', '--subnets', '127.0.55-127.0.55'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    stopOnTeardown(t, child);
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const host = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d) => {
        out += d;
        const m = /DOCKER_HOST=(\S+)\n/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.on('exit', (code) =>
        reject(new Error(`bbs-lab docker-engine exited with ${code}: ${stderr}`)),
      );
    });
    t.regex(host, new RegExp(`^unix://${labTempPath('engine-', '[^/]+')}/docker\\.sock$`));
    const cli = new Docker({ socketPath: host.slice('unix://'.length) });
    const stream = await cli.pull(TOXIPROXY);
    await new Promise<void>((resolve, reject) =>
      cli.modem.followProgress(stream, (e: Error | null) => (e ? reject(e) : resolve())),
    );
    const c = await cli.createContainer({ name: 'cli-tp', Image: TOXIPROXY });
    await c.start();
    const workDir = /work dir (\S+)/.exec(stderr)![1]!;
    t.is(processesMentioning(workDir).length, 1, 'the container runs');
    child.kill('SIGINT');
    t.is(await new Promise<number | null>((r) => child.once('exit', r)), 130);
    t.regex(stderr, /engine: stopped/);
    t.false(existsSync(workDir), 'its work dir is gone');
    t.deepEqual(processesMentioning(workDir), [], 'and its container');
  },
);
