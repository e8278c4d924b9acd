// Buffered, synchronous writing to a file descriptor (stdout by default). Synchronous writes keep
// the hot loop free of promises and back-pressure bookkeeping; a full pipe (EAGAIN) is waited
// out, and a closed pipe (EPIPE, e.g. `| head`) ends output quietly.

import { writeSync } from 'node:fs';

const FLUSH_AT = 1 << 16;
const sleepCell = new Int32Array(new SharedArrayBuffer(4));

export class Output {
  private parts: string[] = [];
  private size = 0;
  /** Set once the reader of our output went away: further writes are dropped. */
  closed = false;

  constructor(private readonly fd = 1) {}

  write(text: string): void {
    if (this.closed) return;
    this.parts.push(text);
    this.size += text.length;
    if (this.size >= FLUSH_AT) this.flush();
  }

  flush(): void {
    if (this.parts.length === 0 || this.closed) return;
    const data = Buffer.from(this.parts.join(''), 'utf8');
    this.parts = [];
    this.size = 0;
    let off = 0;
    while (off < data.length) {
      try {
        off += writeSync(this.fd, data, off, data.length - off);
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (code === 'EAGAIN') {
          Atomics.wait(sleepCell, 0, 0, 2);
          continue;
        }
        if (code === 'EPIPE') {
          this.closed = true;
          return;
        }
        throw err;
      }
    }
  }
}
