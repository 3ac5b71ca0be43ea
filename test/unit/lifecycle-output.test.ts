import test from 'ava';
import { Writable } from 'node:stream';
import { guardStandardOutput, outputClosed } from '../../lab/lifecycle/output.ts';

test('a standard stream whose reader has gone (EPIPE) is silenced: no uncaught error, later writes dropped with their callbacks run', async (t) => {
  let attempts = 0;
  const pipe = new Writable({
    write(_chunk, _enc, cb) {
      attempts++;
      cb(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    },
  }) as unknown as NodeJS.WriteStream;
  guardStandardOutput([pipe]);
  t.false(outputClosed(pipe));
  pipe.write('first line\n');
  await new Promise((r) => setImmediate(r));
  t.true(outputClosed(pipe), 'the failed stream is marked closed');
  const called = await new Promise<boolean>((resolve) => {
    pipe.write('second line\n', () => resolve(true));
  });
  t.true(called, 'a caller waiting on its write is not left waiting');
  t.is(attempts, 1, 'nothing more reaches the broken pipe');
});
