// The project's root directory, whether this code runs from its sources (lab/…) or from the build
// that bin/bbs-lab.js prefers (dist/lab/…): files that are not compiled (bin/, scenarios, the
// container entrypoints run through tsx, findings/) are found from here, never from the build.

import { basename, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const above = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const PROJECT_ROOT = basename(above) === 'dist' ? dirname(above) : above;
