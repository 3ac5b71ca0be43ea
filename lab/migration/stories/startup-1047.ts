// A start-up fault: the Galera node the BBS talks to is cut off from the other two (iptables),
// leaves the Primary component and answers 1047 (WSREP has not yet prepared node for application
// use) while a restarting BBS reads the SQL version, or while the first migration copies; healed,
// it is Synced again before the BBS goes on. Per profile: did the migration run exactly once, and
// was any record lost? (../startup-story.ts)

import { startupFaultStory } from '../startup-story.ts';

export const startup1047 = startupFaultStory({
  name: 'startup-1047',
  fault: '1047',
  phases: ['version-read', 'copy-sql'],
  galeraNodes: 3,
});
