// Options and helpers shared by the commands that read a capture.

import { Option, type Command } from 'commander';
import type { MqttVersion } from '../../mqtt/types.js';
import { UserError } from '../errors.js';
import { ProgressBar } from '../progress.js';
import type { DissectOptions } from '../../pipeline/dissect.js';

export interface CaptureCliOptions {
  port?: number[];
  mqttVersion?: MqttVersion;
  color?: boolean;
  progress?: boolean;
}

function parsePort(value: string, previous: number[] | undefined): number[] {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new UserError(`--port takes a TCP port number (1-65535), not "${value}"`);
  return [...(previous ?? []), n];
}

/** --jobs: a number of threads (list and check). */
export function parseJobs(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new UserError(`--jobs takes a number of threads (1-64), not "${value}"`);
  return n;
}

function parseVersion(value: string): MqttVersion {
  const map: Record<string, MqttVersion> = { '3': 3, '3.1': 3, '4': 4, '3.1.1': 4, '5': 5, '5.0': 5 };
  const v = map[value];
  if (!v) throw new UserError(`--mqtt-version takes 3.1, 3.1.1 or 5.0 (or 3, 4, 5), not "${value}"`);
  return v;
}

/** --port, --mqtt-version, --no-color, --no-progress: every command that reads a capture has them. */
export function addCaptureOptions(cmd: Command): Command {
  return cmd
    .option('--port <n>', 'also decode TCP port N as MQTT, like Wireshark\'s Decode As (repeatable)', parsePort)
    .option('--mqtt-version <v>', 'MQTT version for connections whose CONNECT was not captured (3.1, 3.1.1, 5.0)', parseVersion)
    .addOption(new Option('--no-color', 'never colour the output (NO_COLOR is respected too)'))
    .addOption(new Option('--no-progress', 'no progress bar on stderr'));
}

/** Colour only on a terminal and never with NO_COLOR (https://no-color.org). */
export function useColor(opts: { color?: boolean }, stream: NodeJS.WriteStream = process.stdout): boolean {
  if (opts.color === false) return false;
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  return Boolean(stream.isTTY);
}

/** The dissection options a command's flags ask for, with a progress bar on a TTY stderr. */
export function dissectOptions(opts: CaptureCliOptions): { options: DissectOptions; done: () => void } {
  const bar = opts.progress !== false && process.stderr.isTTY ? new ProgressBar(process.stderr) : null;
  return {
    options: {
      ports: opts.port ?? [],
      mqttVersion: opts.mqttVersion,
      onWarning: (msg: string) => process.stderr.write(`mqtt-analyze: warning: ${msg}\n`),
      onProgress: bar ? (read, total) => bar.update(read, total) : undefined,
    },
    done: () => bar?.clear(),
  };
}
