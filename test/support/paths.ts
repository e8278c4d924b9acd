// Where the project, its fixtures and the shared corpus are, whether tests run from test/ (tsx)
// or from dist/test/ (compiled).

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) || existsSync(join(dir, 'tsconfig.json')) === false) {
    const up = dirname(dir);
    if (up === dir) throw new Error('project root not found');
    dir = up;
  }
  return dir;
}

export const projectRoot = findRoot();
export const fixturesDir = join(projectRoot, 'fixtures');
/** ../shared/corpus beside the project: present on the developers' machines and in CI, absent in a user's clone. */
export const corpusDir = join(projectRoot, '..', 'shared', 'corpus');
export const hasCorpus = existsSync(join(corpusDir, 'MANIFEST.tsv'));
