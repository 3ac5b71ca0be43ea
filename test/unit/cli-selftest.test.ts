// `bbs-lab selftest` refuses bad input before it starts any cluster (exit 2, naming the flag), and
// its usage lists the plants.

import test from 'ava';
import { main } from '../../lab/cli/main.ts';
import { PLANT_NAMES } from '../../bbs/sql/plants.ts';

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((s: string) => ((stdout += s), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => ((stderr += s), true)) as typeof process.stderr.write;
  try {
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}

test.serial('an unknown plant is bad input naming --plants and the known plants', async (t) => {
  const r = await cli('selftest', '--plants', 'task-split-start,nope');
  t.is(r.code, 2);
  t.is(r.stderr, `bbs-lab selftest: --plants: unknown plant "nope"; known: ${PLANT_NAMES.join(', ')}\n`);
});

test.serial('--seeds and --duration must be whole numbers ≥ 1', async (t) => {
  t.is((await cli('selftest', '--seeds', '0')).stderr, 'bbs-lab selftest: --seeds: must be an integer ≥ 1, got 0\n');
  const d = await cli('selftest', '--duration', 'soon');
  t.is(d.code, 2);
  t.regex(d.stderr, /--duration: must be an integer ≥ 1, got soon/);
});

test.serial('selftest --help lists every plant', async (t) => {
  const r = await cli('selftest', '--help');
  t.is(r.code, 0);
  for (const name of PLANT_NAMES) t.true(r.stdout.includes(name), name);
});
