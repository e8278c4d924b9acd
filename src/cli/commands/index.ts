// Every subcommand lives in its own file and registers itself here.
import type { Command } from 'commander';
import { registerList } from './list.js';

export type SetExit = (code: number) => void;

export function registerCommands(program: Command, setExit: SetExit): void {
  registerList(program, setExit);
}
