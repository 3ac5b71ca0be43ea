import test from 'ava';
import { addressBaseProblem } from '../../lab/cli/address-base.ts';

test('an address base is three loopback octets, each at most 255', (t) => {
  for (const ok of ['127.0.0', '127.0.45', '127.255.255']) t.is(addressBaseProblem(ok), null, ok);
  for (const bad of ['10.0.0', '127.0.300', '127.0', '127.0.0.1', '', 'localhost'])
    t.regex(
      addressBaseProblem(bad) ?? '',
      /must be the first three octets of a loopback address/,
      bad,
    );
});
