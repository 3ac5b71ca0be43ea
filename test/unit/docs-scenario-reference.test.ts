// The scenario reference in docs/scenarios.md marks the fields the validator requires: the marks
// are read from the doc's YAML block and held to what validateScenario says of an empty scenario
// (issue 25: topology.nodes and clients.count were required but not marked).
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ScenarioError, validateScenario } from '../../lab/scenario/validate.ts';

const doc = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'scenarios.md'), 'utf8');

/** Dotted paths of the lines marked `# required` in the reference block, from their indentation. */
function markedRequired(text: string): string[] {
  const start = text.indexOf('## Scenario reference');
  const block = text.slice(
    text.indexOf('```yaml', start) + 7,
    text.indexOf('```', text.indexOf('```yaml', start) + 7),
  );
  const stack: { indent: number; key: string }[] = [];
  const out: string[] = [];
  for (const line of block.split('\n')) {
    const m = /^(\s*)([A-Za-z][\w]*):/.exec(line);
    if (!m) continue;
    const indent = m[1]!.length;
    while (stack.length > 0 && stack[stack.length - 1]!.indent >= indent) stack.pop();
    stack.push({ indent, key: m[2]! });
    if (/#\s*required/.test(line)) out.push(stack.map((x) => x.key).join('.'));
  }
  return out.sort();
}

function requiredBySchema(): string[] {
  try {
    validateScenario({}, 'empty');
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw e;
    return e.problems
      .filter((p) => p.endsWith(': required') || /: required\b/.test(p))
      .map((p) => p.split(':')[0]!)
      .sort();
  }
  throw new Error('an empty scenario was accepted');
}

test('every field the validator requires is marked required in the reference, and no other', (t) => {
  const schema = requiredBySchema();
  t.true(schema.includes('topology.nodes') && schema.includes('clients.count'), schema.join(', '));
  t.deepEqual(markedRequired(doc), schema);
});
