// What the engine hands a container's entrypoint at each start (<container dir>/config.json).

import type { ImageKind } from '../images.ts';

export interface EntrypointConfig {
  kind: ImageKind;
  name: string;
  image: string;
  cmd: string[];
  env: string[];
  /** The container's address: every process binds it only. */
  address: string;
  /** The network's gateway: where an unresolvable name points (nothing listens there). */
  gateway: string;
  /** The network's names at start (names.ts). */
  hosts: Record<string, string>;
  hostname: string;
}

/** KEY=VALUE list → map (a bare KEY is an empty value). */
export function envMap(env: readonly string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const e of env) {
    const eq = e.indexOf('=');
    if (eq < 0) m.set(e, '');
    else m.set(e.slice(0, eq), e.slice(eq + 1));
  }
  return m;
}
