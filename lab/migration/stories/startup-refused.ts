// A start-up fault: the store refuses connections (its proxy closed) while a restarting BBS reads
// the SQL version, or while the first migration copies (SQL refusing, or etcd refusing). Per
// profile: did the migration run exactly once, and was any record lost? (../startup-story.ts)

import { startupFaultStory } from '../startup-story.ts';

export const startupRefused = startupFaultStory({
  name: 'startup-refused',
  fault: 'refused',
  phases: ['version-read', 'copy-sql', 'copy-etcd'],
});
