// `mqtt-analyze schema [analysis|packets|row]`: the JSON Schema of our machine outputs.

import { Argument, type Command } from 'commander';
import { jsonSchema, SCHEMAS, type SchemaName } from '../../render/schema.js';
import type { SetExit } from './index.js';

export function registerSchema(program: Command, _setExit: SetExit): void {
  program
    .command('schema')
    .description('print the JSON Schema of the JSON outputs')
    .addArgument(
      new Argument('[which]', 'analysis: `check --format json`; packets: `--format json`; row: one `--format jsonl` line')
        .choices(Object.keys(SCHEMAS))
        .default('analysis'),
    )
    .action((which: SchemaName) => {
      process.stdout.write(JSON.stringify(jsonSchema(which), null, 2) + '\n');
    });
}
