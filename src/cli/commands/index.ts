// Every subcommand lives in its own file and registers itself here. A run loads only the module of
// the command it runs: start-up is a visible part of the time on a small capture, and the modules
// differ a lot (zod and the expectations alone take over 100 ms to load). Help loads them all.
import type { Command } from 'commander';

export type SetExit = (code: number) => void;

type Register = (program: Command, setExit: SetExit) => void;

/** The packet list is the program's own action (no subcommand name), hence first. */
const DEFAULT = 'list';

/** In the order help lists them. */
const COMMANDS: ReadonlyArray<readonly [string, () => Promise<Register>]> = [
  [DEFAULT, async () => (await import('./list.js')).registerList],
  ['flow', async () => (await import('./flow.js')).registerFlow],
  ['report', async () => (await import('./report.js')).registerReport],
  ['check', async () => (await import('./check.js')).registerCheck],
  ['rubric', async () => (await import('./rubric.js')).registerRubric],
  ['grade', async () => (await import('./grade.js')).registerGrade],
  ['schema', async () => (await import('./schema.js')).registerSchema],
];

const registered = new WeakMap<Command, Set<string>>();

/**
 * Registers the commands `argv` can reach: the named subcommand when it comes first; else, when
 * no argument names one and no help is asked for, the packet list alone (commander would not
 * dispatch to another); else all of them, as help shows them all.
 */
export async function registerCommands(program: Command, setExit: SetExit, argv: readonly string[]): Promise<void> {
  const first = COMMANDS.find(([name]) => name !== DEFAULT && name === argv[0]);
  if (first) return register(program, setExit, [first[0]]);
  const mentionsOther = argv.some((a) => a === 'help' || a === '-h' || a === '--help' || COMMANDS.some(([name]) => name !== DEFAULT && name === a));
  if (argv.length === 0 || mentionsOther) return registerAll(program, setExit);
  return register(program, setExit, [DEFAULT]);
}

/** Every command not registered yet, in help's order (before printing help). */
export async function registerAll(program: Command, setExit: SetExit): Promise<void> {
  return register(program, setExit, COMMANDS.map(([name]) => name));
}

async function register(program: Command, setExit: SetExit, names: string[]): Promise<void> {
  let done = registered.get(program);
  if (!done) registered.set(program, (done = new Set()));
  for (const [name, load] of COMMANDS) {
    if (!names.includes(name) || done.has(name)) continue;
    done.add(name);
    (await load())(program, setExit);
  }
}
