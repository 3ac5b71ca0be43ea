#!/usr/bin/env node
// The lab is written in TypeScript and run through tsx, so there is no build step to forget.
import { register } from 'tsx/esm/api';
register();
const { main } = await import('../lab/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
