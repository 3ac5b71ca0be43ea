// The problems a scenario text is refused with, one line each; [] when it is valid.

import { parseScenario, ScenarioError } from '../../lab/scenario/validate.ts';

export function problems(text: string): string[] {
  try {
    parseScenario(text, 'x.yaml');
  } catch (e) {
    if (e instanceof ScenarioError) return e.problems;
    throw e;
  }
  return [];
}
