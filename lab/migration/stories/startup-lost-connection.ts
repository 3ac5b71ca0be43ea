// A start-up fault: every connection to the store is reset (a reset_peer toxic on its proxy) while
// a restarting BBS reads the SQL version, or while the first migration copies (SQL's connections
// lost, or etcd's). Per profile: did the migration run exactly once, and was any record lost?
// (../startup-story.ts)

import { startupFaultStory } from '../startup-story.ts';

export const startupLostConnection = startupFaultStory({
  name: 'startup-lost-connection',
  fault: 'lost-connection',
  phases: ['version-read', 'copy-sql', 'copy-etcd'],
});
