#!/usr/bin/env node
// Entry point: runs the compiled CLI. `npm ci` (prepare) and `npm run build` produce dist/.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  process.stderr.write('mqtt-analyze: not built yet: run `npm run build` (or `npm ci`) first\n');
  process.exit(2);
}
const { main } = await import(cli.href);
process.exitCode = await main(process.argv.slice(2));
