// Every relative link in the README and docs/ points at a file that exists, and every #anchor at a
// heading of the file it names (GitHub's anchor rule: lower case, punctuation dropped, spaces as
// '-'). The README was split into docs/ (issue 25); a moved section must not leave a dead link.
import test from 'ava';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..', '..');
const files = [
  join(root, 'README.md'),
  ...readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => join(root, 'docs', f)),
];

function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/<[^>]+>/g, '')
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

function anchors(file: string): Set<string> {
  const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
  const out = new Set<string>();
  for (const m of text.matchAll(/^#+ (.*)$/gm)) out.add(anchorOf(m[1]!));
  for (const m of text.matchAll(/<a id="([^"]+)"/g)) out.add(m[1]!);
  return out;
}

test('the anchor rule, on headings worked by hand', (t) => {
  t.is(anchorOf('Where shared/FACTS.md is wrong'), 'where-sharedfactsmd-is-wrong');
  t.is(anchorOf('Campaigns: `bbs-lab investigate`'), 'campaigns-bbs-lab-investigate');
  t.is(anchorOf('Scenario reference'), 'scenario-reference');
});

test('every relative link in README.md and docs/ resolves, anchors included', (t) => {
  const dead: string[] = [];
  let links = 0;
  for (const f of files) {
    const text = readFileSync(f, 'utf8').replace(/```[\s\S]*?```/g, '');
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const url = m[1]!;
      if (/^(https?:|mailto:)/.test(url)) continue;
      links++;
      const [path, anchor] = url.split('#') as [string, string | undefined];
      const target = path === '' ? f : resolve(dirname(f), path);
      if (!existsSync(target)) {
        dead.push(`${f.slice(root.length + 1)}: ${url} (no such file)`);
        continue;
      }
      if (anchor && target.endsWith('.md') && !anchors(target).has(anchor))
        dead.push(`${f.slice(root.length + 1)}: ${url} (no such heading)`);
    }
  }
  t.true(links > 30, `links were found (${links})`);
  t.deepEqual(dead, []);
});
