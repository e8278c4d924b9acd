// How a read ended, as the exit code and one line on stderr: a truncated or broken capture is
// bad input (exit 2), though everything before the cut was already reported.

import type { DissectSummary } from '../../pipeline/dissect.js';

export function captureEndExit(summary: DissectSummary): number {
  const end = summary.captureEnd;
  if (end.status === 'ok') return 0;
  if (end.status === 'truncated') {
    process.stderr.write(
      `mqtt-analyze: the capture is cut short at byte ${end.offset} (${end.reason}); the ${end.frames} frames before the cut are reported\n`,
    );
  } else {
    const read = end.frames ? `; the ${end.frames} frames before it are reported` : '';
    process.stderr.write(`mqtt-analyze: cannot read this capture: ${end.reason} (at byte ${end.offset})${read}\n`);
  }
  return 2;
}

/** Not a capture at all (or an empty file): there is nothing to show, only the error to say. */
export function nothingRead(summary: DissectSummary): boolean {
  return summary.captureEnd.status === 'invalid' && summary.framesRead === 0;
}
