// Every subcommand lives in its own file and registers itself here.
import type { Command } from 'commander';
import { registerList } from './list.js';
import { registerFlow } from './flow.js';
import { registerReport } from './report.js';
import { registerCheck } from './check.js';
import { registerRubric } from './rubric.js';
import { registerGrade } from './grade.js';
import { registerSchema } from './schema.js';

export type SetExit = (code: number) => void;

export function registerCommands(program: Command, setExit: SetExit): void {
  registerList(program, setExit);
  registerFlow(program, setExit);
  registerReport(program, setExit);
  registerCheck(program, setExit);
  registerRubric(program, setExit);
  registerGrade(program, setExit);
  registerSchema(program, setExit);
}
