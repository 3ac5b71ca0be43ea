// The toxics, judged by their effect on real TCP traffic: a client -> lab Toxiproxy -> echo server
// on 127.0.5.2, all in this process. Time checks are behaviour checks with generous margins (a
// 200 ms latency must add at least 180 ms), never speed checks; where a bound the other way is
// needed it is against the configured delay itself (an effect that should be absent must stay well
// under it). The tests that compare two timings run serially (AVA runs serial tests first, one at
// a time), so that the other tests' work in this event loop does not inflate one side.

import test, { type ExecutionContext } from 'ava';
import fc from 'fast-check';
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Toxiproxy, type Proxy as ToxiproxyProxy } from 'toxiproxy-node-client';
import { startToxiproxyServer } from '../../lab/toxiproxy/server.ts';
import { slicePlan } from '../../lab/toxiproxy/toxics/slicer.ts';
import type { StreamDirection, ToxicType } from '../../lab/toxiproxy/toxics/types.ts';
import { Probe, sleep, startEcho, waitFor, type EchoServer } from './toxiproxy-tcp.ts';

const ECHO_HOST = '127.0.5.2';

interface Rig {
  proxy: ToxiproxyProxy;
  echo: EchoServer;
  connect(): Promise<Probe>;
  add(
    type: ToxicType,
    stream: StreamDirection,
    attributes: Record<string, number>,
    toxicity?: number,
  ): Promise<string>;
  remove(name: string): Promise<void>;
}

async function rig(t: ExecutionContext): Promise<Rig> {
  const server = await startToxiproxyServer({ host: '127.0.0.1', port: 0 });
  const echo = await startEcho(ECHO_HOST);
  const probes: Probe[] = [];
  t.teardown(async () => {
    for (const p of probes) p.destroy();
    await server.stop();
    await echo.stop();
  });
  const proxy = await new Toxiproxy(server.url).createProxy({
    name: 'p',
    listen: '127.0.0.1:0',
    upstream: echo.address,
  });
  return {
    proxy,
    echo,
    async connect() {
      const p = await Probe.connect(proxy.listen);
      probes.push(p);
      return p;
    },
    async add(type, stream, attributes, toxicity = 1) {
      const toxic = await proxy.addToxic({
        name: `${type}_${stream}`,
        type: type as 'latency',
        stream,
        toxicity,
        attributes,
      });
      return toxic.name;
    },
    async remove(name) {
      await (await proxy.getToxic(name)).remove();
    },
  };
}

test.serial(
  'latency adds at least the configured delay to a round trip, on new and on live connections',
  async (t) => {
    const r = await rig(t);
    const live = await r.connect();
    // The quickest of a few round trips, so that one slow moment of a loaded machine is not taken
    // for the path's own cost.
    let baseline = Infinity;
    for (let i = 0; i < 3; i++) baseline = Math.min(baseline, await live.roundTrip('ping'));
    await r.add('latency', 'downstream', { latency: 200, jitter: 0 });
    const onLive = await live.roundTrip('ping');
    const fresh = await r.connect();
    const onFresh = await fresh.roundTrip('ping');
    t.true(
      onLive - baseline >= 180,
      `live connection: ${onLive.toFixed(1)} ms vs ${baseline.toFixed(1)} ms without`,
    );
    t.true(
      onFresh - baseline >= 180,
      `new connection: ${onFresh.toFixed(1)} ms vs ${baseline.toFixed(1)} ms without`,
    );
    t.is(fresh.bytes.toString(), 'ping');
    t.is(live.bytes.toString(), 'ping'.repeat(4));
  },
);

test('latency with jitter stays within latency - jitter and keeps byte order', async (t) => {
  const r = await rig(t);
  await r.add('latency', 'downstream', { latency: 100, jitter: 50 });
  const probe = await r.connect();
  for (let i = 0; i < 4; i++) {
    const ms = await probe.roundTrip(`m${i};`);
    t.true(ms >= 45, `round trip ${i}: ${ms.toFixed(1)} ms`);
  }
  t.is(probe.bytes.toString(), 'm0;m1;m2;m3;');
});

test.serial('deleting a latency toxic hands on the data it holds at once', async (t) => {
  const r = await rig(t);
  const probe = await r.connect();
  const name = await r.add('latency', 'downstream', { latency: 3000, jitter: 0 });
  const t0 = performance.now();
  probe.socket.write('held');
  await waitFor('the echo server to get the bytes', () => r.echo.arrivals.length === 1);
  await sleep(50);
  t.is(probe.bytes.length, 0, 'still held by the toxic');
  await r.remove(name);
  await waitFor('the held bytes', () => probe.bytes.length === 4);
  t.true(performance.now() - t0 < 2500, 'delivered on removal, not after the 3000 ms latency');
  t.is(probe.bytes.toString(), 'held');
});

test.serial(
  'upstream toxics delay the client -> server direction, downstream ones the server -> client direction',
  async (t) => {
    const legs = async (stream: StreamDirection) => {
      const r = await rig(t);
      await r.add('latency', stream, { latency: 300, jitter: 0 });
      const probe = await r.connect();
      const sent = performance.now();
      await probe.roundTrip('dir');
      const atServer = r.echo.arrivals[0]!;
      const back = probe.chunks[0]!.at;
      return { forward: atServer - sent, backward: back - atServer };
    };
    const up = await legs('upstream');
    t.true(up.forward >= 280, `upstream: client -> server took ${up.forward.toFixed(1)} ms`);
    t.true(
      up.backward < up.forward,
      `upstream: server -> client (${up.backward.toFixed(1)} ms) is the undelayed leg`,
    );
    const down = await legs('downstream');
    t.true(
      down.backward >= 280,
      `downstream: server -> client took ${down.backward.toFixed(1)} ms`,
    );
    t.true(
      down.forward < down.backward,
      `downstream: client -> server (${down.forward.toFixed(1)} ms) is the undelayed leg`,
    );
  },
);

test('bandwidth caps the throughput of a live connection and loses no byte', async (t) => {
  const r = await rig(t);
  const probe = await r.connect();
  await r.add('bandwidth', 'downstream', { rate: 100 }); // 100 KB/s: 50 000 bytes need 500 ms
  const payload = randomBytes(50_000);
  const ms = await probe.roundTrip(payload);
  t.true(ms >= 400, `50 000 bytes at 100 KB/s arrived in ${ms.toFixed(1)} ms`);
  t.true(probe.bytes.equals(payload));
});

test('timeout 0 passes nothing and never closes; deleting it closes the connection, as the real one does', async (t) => {
  const r = await rig(t);
  const probe = await r.connect();
  const name = await r.add('timeout', 'downstream', { timeout: 0 });
  probe.socket.write('ping');
  await waitFor('the echo server to get the bytes', () => r.echo.arrivals.length === 1);
  await sleep(300);
  t.is(probe.bytes.length, 0, 'the reply is held back');
  t.false(probe.closed, 'the connection stays open');
  await r.remove(name);
  await waitFor('the connection to be closed', () => probe.closed);
  t.is(probe.bytes.length, 0, 'the dropped reply never arrives');
  const after = await r.connect();
  await after.roundTrip('pong');
  t.is(after.bytes.toString(), 'pong', 'new connections flow again');
});

test('timeout > 0 closes the connection after the timeout, and nothing passes before', async (t) => {
  const r = await rig(t);
  await r.add('timeout', 'upstream', { timeout: 300 });
  const t0 = performance.now();
  const probe = await r.connect();
  probe.socket.write('lost');
  await waitFor('the connection to be closed', () => probe.closed);
  t.true(
    probe.endedAt! - t0 >= 280 || probe.closedAt! - t0 >= 280,
    'closed no earlier than the timeout',
  );
  t.is(r.echo.arrivals.length, 0, 'no byte reached the server');
  t.is(probe.errorCode, null, 'a close, not a reset');
});

test('reset_peer makes the client see ECONNRESET, after its timeout', async (t) => {
  const r = await rig(t);
  await r.add('reset_peer', 'downstream', { timeout: 0 });
  const now = await r.connect();
  now.socket.write('ping');
  await waitFor('the reset', () => now.closed);
  t.is(now.errorCode, 'ECONNRESET');

  await r.remove('reset_peer_downstream');
  await r.add('reset_peer', 'upstream', { timeout: 200 });
  const later = await r.connect();
  const t0 = performance.now();
  later.socket.write('ping');
  await waitFor('the reset', () => later.closed);
  t.is(later.errorCode, 'ECONNRESET');
  t.true(later.closedAt! - t0 >= 180, `reset after ${(later.closedAt! - t0).toFixed(1)} ms`);
  t.is(
    r.echo.arrivals.length,
    1,
    'only the first connection reached the server: the upstream toxic dropped the data',
  );
});

test('limit_data passes the first N bytes, then closes (FIN, not RST)', async (t) => {
  const r = await rig(t);
  await r.add('limit_data', 'downstream', { bytes: 10 });
  const probe = await r.connect();
  probe.socket.write('0123456789abcdefghijklmnopqrst');
  await waitFor('the close', () => probe.closed);
  t.is(probe.bytes.toString(), '0123456789');
  t.not(probe.endedAt, null, 'the client got a FIN');
  t.is(probe.errorCode, null);
});

test('limit_data upstream lets the server see only the first N bytes', async (t) => {
  const r = await rig(t);
  await r.add('limit_data', 'upstream', { bytes: 4 });
  const probe = await r.connect();
  probe.socket.write('abcdefgh');
  await waitFor('the close', () => probe.closed);
  await waitFor('the upstream side to be read', () => r.echo.received().length >= 4);
  t.is(r.echo.received().toString(), 'abcd');
});

test('slicer delivers every byte, in several chunks', async (t) => {
  const r = await rig(t);
  await r.add('slicer', 'downstream', { average_size: 10, size_variation: 3, delay: 30_000 });
  const probe = await r.connect();
  const payload = randomBytes(100);
  await probe.roundTrip(payload);
  t.true(probe.bytes.equals(payload));
  t.true(probe.chunks.length >= 3, `${probe.chunks.length} chunks`);
});

test('slicePlan: sizes add up, every piece is 1..average+variation bytes', (t) => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 5000 }),
      fc.integer({ min: 1, max: 300 }),
      fc.integer({ min: 0, max: 300 }),
      (len, avg, variation) => {
        const plan = slicePlan(len, avg, variation);
        return (
          plan.reduce((a, b) => a + b, 0) === len &&
          plan.every((s) => s >= 1 && s <= Math.max(1, avg + variation))
        );
      },
    ),
  );
  t.deepEqual(slicePlan(40, 10, 0), [10, 10, 10, 10]);
});

test('slow_close holds the end of the stream back for its delay', async (t) => {
  const r = await rig(t);
  const endDelay = async () => {
    const probe = await r.connect();
    await probe.roundTrip('bye');
    const t0 = performance.now();
    probe.socket.end();
    await waitFor('the end from the server side', () => probe.endedAt !== null);
    return { ms: probe.endedAt! - t0, bytes: probe.bytes.toString() };
  };
  const plain = await endDelay();
  await r.add('slow_close', 'downstream', { delay: 300 });
  const slowed = await endDelay();
  t.true(
    slowed.ms >= 280,
    `end arrived ${slowed.ms.toFixed(1)} ms after the client's (${plain.ms.toFixed(1)} ms without the toxic)`,
  );
  t.is(slowed.bytes, 'bye');
});

test.serial('toxicity 0 never applies; the default toxicity 1 always does', async (t) => {
  const r = await rig(t);
  await r.add('latency', 'downstream', { latency: 1000, jitter: 0 }, 0);
  for (let i = 0; i < 5; i++) {
    const probe = await r.connect();
    const ms = await probe.roundTrip('x');
    t.true(ms < 800, `connection ${i}: ${ms.toFixed(1)} ms`);
  }
  const res = await fetch(`${r.proxy.getPath()}/toxics/latency_downstream`, {
    method: 'POST',
    body: JSON.stringify({ toxicity: 1 }),
  });
  t.is(res.status, 200);
  const probe = await r.connect();
  t.true((await probe.roundTrip('x')) >= 900, 'after the update to toxicity 1');
});

test('a disabled proxy closes its connections and refuses new ones; traffic resumes once enabled', async (t) => {
  const r = await rig(t);
  const probe = await r.connect();
  await probe.roundTrip('x');
  const off = await r.proxy.update({
    enabled: false,
    listen: r.proxy.listen,
    upstream: r.proxy.upstream,
  });
  await waitFor('the live connection to close', () => probe.closed);
  await t.throwsAsync(Probe.connect(r.proxy.listen), { code: 'ECONNREFUSED' });
  await off.update({ enabled: true, listen: off.listen, upstream: off.upstream });
  const again = await r.connect();
  await again.roundTrip('y');
  t.is(again.bytes.toString(), 'y');
});

// Serial (AVA runs serial tests before the others) so that hashing megabytes does not stall the
// event loop under the timing tests.
test.serial('a large transfer without toxics arrives intact (flow control)', async (t) => {
  const r = await rig(t);
  const probe = await r.connect();
  const payload = randomBytes(4 << 20);
  await probe.roundTrip(payload, 30_000);
  const digest = (b: Buffer) => createHash('sha256').update(b).digest('hex');
  t.is(digest(probe.bytes), digest(payload));
});

test('a client is closed at once when the upstream refuses', async (t) => {
  const server = await startToxiproxyServer({ host: '127.0.0.1', port: 0 });
  t.teardown(() => server.stop());
  const closedPort = await new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, ECHO_HOST, () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
  const proxy = await new Toxiproxy(server.url).createProxy({
    name: 'dead',
    listen: '127.0.0.1:0',
    upstream: `${ECHO_HOST}:${closedPort}`,
  });
  const probe = await Probe.connect(proxy.listen);
  t.teardown(() => probe.destroy());
  await waitFor('the proxy to close the client', () => probe.closed);
  t.is(probe.bytes.length, 0);
});
