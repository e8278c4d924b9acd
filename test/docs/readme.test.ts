// The README is part of the product: its first commands must be the ones CI runs, and every
// finding id the analysis can emit must be explained there.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../support/paths.js';
import { FINDING_IDS } from '../../src/analysis/catalogue.js';

const readme = readFileSync(join(projectRoot, 'README.md'), 'utf8');

test('the README opens with the setup command and the test command that CI runs', () => {
  const firstBlock = readme.match(/```sh\n([\s\S]*?)```/)?.[1] ?? '';
  assert.match(firstBlock, /^npm ci && npm start\b/m);
  assert.match(firstBlock, /^npm test\b/m);
  const ci = readFileSync(join(projectRoot, '.ci', 'run'), 'utf8');
  assert.match(ci, /^npm ci\b/m);
  assert.match(ci, /^npm test$/m);
});

test('every finding id of the catalogue is explained in the README', () => {
  const missing = FINDING_IDS.filter((id) => !readme.includes(`\`${id}\``));
  assert.deepEqual(missing, []);
});
