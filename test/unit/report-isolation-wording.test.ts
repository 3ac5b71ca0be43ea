import test from 'ava';
import { isolationBaselineSentence } from '../../lab/report/markdown.ts';
import { parseScenario } from '../../lab/scenario/validate.ts';

const scenario = (nodes: number, kind: string, isolation: string) =>
  parseScenario(
    `name: x\nquestion: q\nduration: 5\ntopology: {nodes: ${nodes}, proxies: 0}\nclients: {count: 3, via: nodes}\nworkload: {kind: ${kind}, isolation: ${isolation}}\n`,
  );

test('a 3-node list-append run at RR says one node shows the same classes (InnoDB, not Galera)', (t) => {
  t.regex(
    isolationBaselineSentence(scenario(3, 'list-append', 'repeatable-read'))!,
    /^At REPEATABLE READ one node alone shows the same anomaly classes \(G-single-item, G2-item and lost update, the cycles also as their -realtime variants; scenarios\/isolation-single-node\.yaml\): InnoDB's REPEATABLE READ/,
  );
  t.regex(
    isolationBaselineSentence(scenario(3, 'list-append', 'serializable'))!,
    /Galera-specific only if one node at SERIALIZABLE does not show it/,
  );
});

test('no baseline sentence for one node, a BBS workload, or READ COMMITTED', (t) => {
  t.is(isolationBaselineSentence(scenario(1, 'list-append', 'repeatable-read')), null);
  t.is(isolationBaselineSentence(scenario(3, 'bbs', 'repeatable-read')), null);
  t.is(isolationBaselineSentence(scenario(3, 'list-append', 'read-committed')), null);
});
