// reset_on_commit: the COMMIT reaches the server, then the connection is reset (ECONNRESET for the
// client), at the every-th COMMIT of a connection. On the lab's loopback base 127.0.190.

import test from 'ava';
import fc from 'fast-check';
import { Toxiproxy } from 'toxiproxy-node-client';
import { startToxiproxyServer } from '../../lab/toxiproxy/server.ts';
import { COMMIT_PACKET, commitsIn } from '../../lab/toxiproxy/toxics/reset-on-commit.ts';
import { Probe, startEcho, waitFor } from './toxiproxy-tcp.ts';

test('commitsIn finds COMMIT packets anywhere in a chunk, and nothing in other queries', (t) => {
  const begin = Buffer.from([6, 0, 0, 0, 3, ...Buffer.from('BEGIN', 'latin1')]);
  t.is(commitsIn(COMMIT_PACKET), 1);
  t.is(commitsIn(Buffer.concat([begin, COMMIT_PACKET, begin, COMMIT_PACKET])), 2);
  t.is(commitsIn(begin), 0);
  t.is(
    commitsIn(Buffer.from('SELECT 1 -- COMMIT')),
    0,
    'the word inside another query is not a COMMIT packet',
  );
  // Property: the count equals the number of COMMIT packets placed between random other bytes that
  // hold none.
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.uint8Array({ maxLength: 20 }), fc.boolean()), { maxLength: 8 }),
      (parts) => {
        const filler = parts.map(([b]) => Buffer.from(b).filter((x) => x !== 7));
        const buf = Buffer.concat(
          parts.flatMap(([, c], i) => [filler[i]!, ...(c ? [COMMIT_PACKET] : [])]),
        );
        return commitsIn(buf) === parts.filter(([, c]) => c).length;
      },
    ),
    { seed: 27, numRuns: 200 },
  );
  t.pass();
});

test('the every-th COMMIT of a connection is handed on, then the connection is reset', async (t) => {
  const server = await startToxiproxyServer({ host: '127.0.190.1', port: 0 });
  const echo = await startEcho('127.0.190.2');
  const probes: Probe[] = [];
  t.teardown(async () => {
    for (const p of probes) p.destroy();
    await server.stop();
    await echo.stop();
  });
  const proxy = await new Toxiproxy(server.url).createProxy({
    name: 'db',
    listen: '127.0.190.1:0',
    upstream: echo.address,
  });
  await proxy.addToxic({
    name: 'commit',
    type: 'reset_on_commit' as 'latency',
    stream: 'upstream',
    toxicity: 1,
    attributes: { every: 2, timeout: 20 } as never,
  });
  const c = await Probe.connect(proxy.listen);
  probes.push(c);
  c.socket.write(COMMIT_PACKET);
  await waitFor(
    'the first COMMIT at the server',
    () => echo.received().length === COMMIT_PACKET.length,
  );
  t.false(c.closed, 'the first COMMIT passes, the connection stays');
  c.socket.write(COMMIT_PACKET);
  await waitFor('the reset', () => c.closed);
  t.is(c.errorCode, 'ECONNRESET');
  t.is(
    echo.received().length,
    2 * COMMIT_PACKET.length,
    'the second COMMIT reached the server before the reset',
  );
});
