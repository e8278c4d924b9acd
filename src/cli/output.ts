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
    this.closed = !writeAll(this.fd, data, data.length);
  }
}

/**
 * A byte buffer that fills up and is written out in large blocks: for output produced per packet
 * (JSON Lines), where building strings would cost more than the dissection. Writers call
 * `reserve(n)` before writing up to n bytes at `buf[pos]`.
 */
export class ByteOutput {
  private bytes: Buffer;
  /** `buf` as 16-bit words (byte 2k..2k+1 = words[k]), for writers storing two bytes at once. */
  words: Uint16Array;
  /** `buf` as a DataView, for writers storing 2, 4 or 8 bytes at once at any alignment. */
  view: DataView;
  pos = 0;
  closed = false;

  constructor(
    private readonly fd = 1,
    size = 1 << 20,
  ) {
    this.bytes = ByteOutput.alloc(size);
    this.words = new Uint16Array(this.bytes.buffer, this.bytes.byteOffset, this.bytes.length >> 1);
    this.view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.length);
  }

  /** The buffer written at `pos`. Setting it (growing, or a subclass swapping buffers) keeps
   *  `words` and `view` on the same bytes. */
  get buf(): Buffer {
    return this.bytes;
  }

  set buf(b: Buffer) {
    this.bytes = b;
    this.words = new Uint16Array(b.buffer, b.byteOffset, b.length >> 1);
    this.view = new DataView(b.buffer, b.byteOffset, b.length);
  }

  /** A buffer of its own (never from Buffer's shared pool), so `words` starts on an even byte. */
  private static alloc(size: number): Buffer {
    return Buffer.from(new ArrayBuffer(size + (size & 1)));
  }

  reserve(n: number): void {
    if (this.pos + n <= this.bytes.length) return;
    this.flush();
    if (n > this.bytes.length) this.buf = ByteOutput.alloc(Math.max(n, this.bytes.length * 2));
  }

  /** Bytes [start, end) of `b`, as they are. */
  bytesOf(b: Uint8Array, start: number, end: number): void {
    this.reserve(end - start);
    this.bytes.set(b.subarray(start, end), this.pos);
    this.pos += end - start;
  }

  /** Text (UTF-8) between byte-written parts. */
  text(s: string): void {
    this.reserve(s.length * 3);
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }

  flush(): void {
    if (!this.closed && this.pos > 0) this.closed = !writeAll(this.fd, this.buf, this.pos);
    this.pos = 0;
  }
}

/** Writes data[0..len) to fd; false when the reader went away (EPIPE). */
function writeAll(fd: number, data: Uint8Array, len: number): boolean {
  let off = 0;
  while (off < len) {
    try {
      off += writeSync(fd, data, off, len - off);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'EAGAIN') {
        Atomics.wait(sleepCell, 0, 0, 2);
        continue;
      }
      if (code === 'EPIPE') return false;
      throw err;
    }
  }
  return true;
}
