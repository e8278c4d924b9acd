// Runs this commands (check, rubric, grade) in a child process the way main.ts does
// (commander, exit codes, UserError → one stderr line), without the rest of the CLI, so their
// tests do not depend on other commands being finished. Usage: node --import tsx cli-runner.ts ARGS
import { Command, CommanderError } from 'commander';
import { UserError } from '../../src/cli/errors.js';
import { registerCheck } from '../../src/cli/commands/check.js';
import { registerRubric } from '../../src/cli/commands/rubric.js';

const program = new Command('mqtt-analyze').exitOverride();
let code = 0;
const setExit = (c: number) => (code = Math.max(code, c));
registerCheck(program, setExit);
registerRubric(program, setExit);
try {
  const { registerGrade } = await import('../../src/cli/commands/grade.js').catch(() => ({ registerGrade: null }));
  registerGrade?.(program, setExit);
  await program.parseAsync(process.argv.slice(2), { from: 'user' });
} catch (err) {
  if (err instanceof CommanderError) code = err.exitCode === 0 ? 0 : 2;
  else if (err instanceof UserError) {
    process.stderr.write(`mqtt-analyze: ${err.message}\n`);
    code = err.exitCode;
  } else throw err;
}
process.exitCode = code;
