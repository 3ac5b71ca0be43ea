// What the CLI's own words name: every option a command takes appears in its message for an
// unknown option and in the top-level help (issue 25: --export and --render were missing).
import test from 'ava';
import { cli } from './cli-capture.ts';

test("check's unknown-option message lists --export, which is taken out before the others", async (t) => {
  const r = await cli('check', 'x', '--foo');
  t.is(r.code, 2);
  t.regex(
    r.stderr,
    /--foo: unknown option; allowed: .*--json, --stop-at-first-failure, --export edn FILE/,
  );
});

test('the top-level help names investigate --render and says what it does', async (t) => {
  const r = await cli('--help');
  const text = r.stdout + r.stderr;
  t.regex(text, /investigate <campaign\.yaml> .*\[--render\]/);
  t.regex(text, /--render rewrites the findings from the runs already done/);
});
