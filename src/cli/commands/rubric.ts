// `mqtt-analyze rubric lab2 > my-lab.yaml`: print a built-in rubric as a starting point for an
// instructor's own (the same YAML `--expect` and `grade --rubric` read).

import type { Command } from 'commander';
import { builtinRubricText } from '../../expect/load.js';
import { Output } from '../output.js';
import type { SetExit } from './index.js';

export function registerRubric(program: Command, _setExit: SetExit): void {
  program
    .command('rubric')
    .description('print a built-in rubric (YAML) to start your own expectations file from')
    .argument('[name]', 'built-in rubric name', 'lab2')
    .addHelpText('after', '\nExample:\n  mqtt-analyze rubric lab2 > my-lab.yaml\n  mqtt-analyze check capture.pcap --expect my-lab.yaml:5')
    .action((name: string) => {
      const out = new Output();
      out.write(builtinRubricText(name));
      out.flush();
    });
}
