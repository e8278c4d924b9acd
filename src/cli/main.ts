// The command line: parses arguments, runs one command, maps outcomes to exit codes.
// Exit codes CI can trust: 0 = fine, 1 = the capture shows a violation / an expectation failed,
// 2 = bad input or usage (one clear line on stderr, never a stack trace).

import { existsSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { registerCommands } from './commands/index.js';
import { UserError } from './errors.js';

export async function main(argv: string[]): Promise<number> {
  argv = helpWord(argv);
  const program = new Command('mqtt-analyze');
  let exitCode = 0;
  const setExit = (code: number) => {
    exitCode = Math.max(exitCode, code);
  };
  program
    .description("Analyze MQTT packet captures: Wireshark's packet list, checked against the MQTT 3.1.1 and 5.0 specifications")
    .version(await packageVersion(), '--version')
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ outputError: (str, write) => write(str) })
    .showHelpAfterError('(run mqtt-analyze --help for usage)');
  await registerCommands(program, setExit, argv);

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end through here with exit code 0.
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof UserError) {
      process.stderr.write(`mqtt-analyze: ${err.message}\n`);
      return err.exitCode;
    }
    if (isBrokenPipe(err)) return exitCode;
    throw err;
  }
}

/**
 * `mqtt-analyze help` and `mqtt-analyze help check`, as git and npm take them: the word `help`
 * would otherwise be read as the name of a capture. A capture really called `help` in the
 * current directory is still read as one.
 */
export function helpWord(argv: string[]): string[] {
  if (argv[0] !== 'help' || argv.length > 2 || existsSync('help')) return argv;
  return argv.length === 1 ? ['--help'] : [argv[1]!, '--help'];
}

function isBrokenPipe(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: string }).code === 'EPIPE';
}

/** The version in package.json, found upward from this file (src/cli or dist/src/cli). */
async function packageVersion(): Promise<string> {
  const { existsSync, readFileSync } = await import('node:fs');
  for (const up of ['../../package.json', '../../../package.json']) {
    const url = new URL(up, import.meta.url);
    if (existsSync(url)) return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
  }
  return 'unknown';
}
