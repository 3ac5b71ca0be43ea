// The migration stories, one file each (setup, steps, checks; see ../story.ts), in the order
// `bbs-lab migrate` plays them. Adding a story: its file here and one line below; the scenario
// validator learns its name and options from this list.

import type { MigrationStory } from '../story.ts';
import { failure } from './failure.ts';
import { gap } from './gap.ts';
import { mixedLock } from './mixed-lock.ts';
import { noSql } from './no-sql.ts';
import { redeploy } from './redeploy.ts';
import { startup1047 } from './startup-1047.ts';
import { startup1213 } from './startup-1213.ts';
import { startupLostConnection } from './startup-lost-connection.ts';
import { startupRefused } from './startup-refused.ts';
import { upgradeDust } from './upgrade-dust.ts';

export const STORIES: readonly MigrationStory[] = [
  redeploy,
  mixedLock,
  failure,
  gap,
  noSql,
  upgradeDust,
  startupRefused,
  startupLostConnection,
  startup1047,
  startup1213,
];

export const STORY_NAMES: readonly string[] = STORIES.map((s) => s.name);

/** The story of that name; throws naming the known ones. */
export function storyNamed(name: string): MigrationStory {
  const s = STORIES.find((x) => x.name === name);
  if (!s)
    throw new Error(
      `unknown migration story ${JSON.stringify(name)}; one of ${STORY_NAMES.join(', ')}`,
    );
  return s;
}
