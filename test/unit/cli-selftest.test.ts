// `bbs-lab selftest` refuses bad input before it starts any cluster (exit 2, naming the flag), and
// its usage lists the plants.

import test from 'ava';
import { cli } from './cli-capture.ts';
import { PLANT_NAMES } from '../../bbs/sql/plants.ts';

test.serial('an unknown plant is bad input naming --plants and the known plants', async (t) => {
  const r = await cli('selftest', '--plants', 'task-split-start,nope');
  t.is(r.code, 2);
  t.is(
    r.stderr,
    `bbs-lab selftest: --plants: unknown plant "nope"; known: ${PLANT_NAMES.join(', ')}\n`,
  );
});

test.serial('--seeds and --duration must be whole numbers ≥ 1', async (t) => {
  t.is(
    (await cli('selftest', '--seeds', '0')).stderr,
    'bbs-lab selftest: --seeds: must be an integer ≥ 1, got 0\n',
  );
  const d = await cli('selftest', '--duration', 'soon');
  t.is(d.code, 2);
  t.regex(d.stderr, /--duration: must be an integer ≥ 1, got soon/);
});

test.serial('selftest --help lists every plant', async (t) => {
  const r = await cli('selftest', '--help');
  t.is(r.code, 0);
  for (const name of PLANT_NAMES) t.true(r.stdout.includes(name), name);
});
