// `mqtt-analyze flow CAPTURE`: the MQTT exchange as a sequence diagram in the terminal.

import type { Command } from 'commander';
import { Analyzer } from '../../analysis/analyzer.js';
import { buildFlow } from '../../flow/model.js';
import { collectCapture } from '../../flow/run.js';
import { renderFlowText } from '../../flow/terminal.js';
import { UserError } from '../errors.js';
import { Output } from '../output.js';
import { captureEndExit, nothingRead } from './capture-end.js';
import type { SetExit } from './index.js';
import { addCaptureOptions, dissectOptions, useColor, type CaptureCliOptions } from './shared.js';

interface FlowOptions extends CaptureCliOptions {
  client?: string;
  topic?: string;
  ascii?: boolean;
  width?: number;
  fold: boolean;
}

const EXAMPLES = `
Examples:
  mqtt-analyze flow lab3-qos.pcap                    every client and the broker
  mqtt-analyze flow lab3-qos.pcap --client lab3-pub  one client's lifeline only
  mqtt-analyze flow capture.pcap --topic 'sensors/#' publishes matching a filter, with their acks
  mqtt-analyze flow capture.pcap --ascii | less      plain ASCII (no box drawing)`;

function parseWidth(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 40 || n > 1000) throw new UserError(`--width takes a number of columns from 40 to 1000, not "${value}"`);
  return n;
}

/** 80 columns, or the terminal's width when stdout is one. */
export function terminalWidth(explicit: number | undefined, stream: NodeJS.WriteStream = process.stdout): number {
  if (explicit) return explicit;
  return stream.isTTY && stream.columns ? Math.max(40, stream.columns) : 80;
}

export function registerFlow(program: Command, setExit: SetExit): void {
  addCaptureOptions(program.command('flow'))
    .description('draw the MQTT exchange as a sequence diagram: one lifeline per client and the broker')
    .argument('<capture>', 'pcap or pcapng file, or - for stdin')
    .option('--client <id>', 'only this client (client id, or addr:port of its connection)')
    .option('--topic <filter>', 'only PUBLISHes matching this topic filter, their acknowledgements and subscriptions')
    .option('--ascii', 'ASCII instead of Unicode box drawing')
    .option('--width <columns>', 'diagram width (default: the terminal width, else 80)', parseWidth)
    .option('--no-fold', 'draw every PINGREQ/PINGRESP instead of one line per run')
    .addHelpText('after', EXAMPLES)
    .action(async (capture: string, opts: FlowOptions) => {
      setExit(await runFlow(capture, opts));
    });
}

async function runFlow(capture: string, opts: FlowOptions): Promise<number> {
  const out = new Output();
  const { options, done } = dissectOptions(opts);
  try {
    const { collected, summary } = await collectCapture(capture, { dissect: options, analyzer: new Analyzer() });
    done();
    if (nothingRead(summary)) return captureEndExit(summary);
    const diagram = buildFlow(collected, { client: opts.client, topic: opts.topic, foldPings: opts.fold ? undefined : 0 });
    out.write(renderFlowText(diagram, { width: terminalWidth(opts.width), ascii: opts.ascii, color: useColor(opts) }));
    // A view, not a gate: `check` is the command whose exit code reflects violations.
    return captureEndExit(summary);
  } finally {
    done();
    out.flush();
  }
}
