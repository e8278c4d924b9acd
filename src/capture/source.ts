// Drivers that feed a CaptureReader: a path, stdin ('-'), any Readable, or bytes in memory.
// Memory stays bounded by the chunk size plus the largest record, whatever the file size.
// gzip-compressed captures (first bytes 1f 8b, as Wireshark opens .pcap.gz / .pcapng.gz) are
// decompressed on the fly.
//
// Errors: failing to open or read the file (missing, a directory, permission, EIO) rejects with
// CaptureOpenError. Everything about the file's *contents* — including bad or truncated gzip —
// is the returned CaptureEnd.

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { Readable } from 'node:stream';
import { createGunzip, gunzipSync } from 'node:zlib';
import { CaptureReader } from './reader.js';
import type { CaptureEnd, Frame } from './types.js';

export interface ReadOptions {
  onWarning?: (msg: string) => void;
  /** After each chunk: bytes read from the source so far (compressed bytes for gzip), and the file size when known. */
  onProgress?: (bytesRead: number, totalBytes: number | undefined) => void;
  /** Chunk size for regular files (default 1 MiB). */
  chunkSize?: number;
  /** Asked after each chunk: true stops reading there (whoever reads our output went away).
   *  The result then ends where reading stopped, as if the capture ended there. */
  stop?: () => boolean;
}

/** How reading ended, plus the bytes read from the source (the compressed size for gzip). */
export type ReadResult = CaptureEnd & { bytes: number };

export class CaptureOpenError extends Error {
  /** errno code ('ENOENT', 'EACCES', 'EISDIR', 'EIO', ...) or 'EUNKNOWN'. */
  readonly code: string;
  readonly path: string;
  constructor(path: string, code: string, message: string) {
    super(message);
    this.name = 'CaptureOpenError';
    this.code = code;
    this.path = path;
  }
}

const DEFAULT_CHUNK = 1024 * 1024;

/** Do these bytes start with gzip's magic number (RFC 1952 §2.3.1)? */
export function isGzipStart(b: Uint8Array): boolean {
  return b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;
}

/** Reads a capture from a path, or from stdin when path is '-'. */
export async function readCapture(path: string, onFrame: (f: Frame) => void, opts: ReadOptions = {}): Promise<ReadResult> {
  if (path === '-') return readCaptureStream(process.stdin, onFrame, opts, '-');

  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw openError(path, e);
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new CaptureOpenError(path, 'EISDIR', `${path}: is a directory`);
    if (!st.isFile()) {
      // FIFO, character device, socket: no size, no seeking; read it as a stream.
      const stream = streamFromFd(fd, path);
      fd = -1; // the stream owns it now
      return await readCaptureStream(stream, onFrame, opts, path);
    }
    const chunk = Buffer.allocUnsafe(opts.chunkSize ?? DEFAULT_CHUNK);
    const first = readAt(fd, chunk, path);
    if (isGzipStart(chunk.subarray(0, first))) {
      const stream = chainedStream(chunk.subarray(0, first), fd, path, opts.chunkSize ?? DEFAULT_CHUNK);
      fd = -1;
      return await readGzip(stream, onFrame, opts, st.size, path);
    }
    // Regular file: synchronous reads into one reused buffer are the fastest path. The reader
    // copies any partial record out of the chunk before push() returns, so reuse is safe.
    const reader = new CaptureReader(onFrame, opts.onWarning);
    let bytes = 0;
    let n = first;
    while (n > 0) {
      reader.push(n === chunk.length ? chunk : chunk.subarray(0, n));
      bytes += n;
      opts.onProgress?.(bytes, st.size);
      if (opts.stop?.()) return { ...reader.end(), bytes };
      n = readAt(fd, chunk, path);
    }
    return { ...reader.end(), bytes };
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

/** Reads a capture from any byte stream (stdin, a pipe, a socket), gzip or not. */
export async function readCaptureStream(
  stream: NodeJS.ReadableStream | Readable,
  onFrame: (f: Frame) => void,
  opts: ReadOptions = {},
  name = 'stream',
): Promise<ReadResult> {
  const it = (stream as AsyncIterable<Uint8Array | string>)[Symbol.asyncIterator]();
  // Peek until we have the two bytes that tell gzip apart.
  const head: Uint8Array[] = [];
  let headLen = 0;
  let done = false;
  while (headLen < 2) {
    const r = await nextChunk(it, name);
    if (r === undefined) {
      done = true;
      break;
    }
    head.push(r);
    headLen += r.length;
  }
  const first = head.length === 1 ? head[0]! : Buffer.concat(head);
  if (!done && isGzipStart(first)) {
    return readGzip(Readable.from(restOf(first, it, name)), onFrame, opts, undefined, name);
  }
  const reader = new CaptureReader(onFrame, opts.onWarning);
  let bytes = 0;
  if (first.length > 0) {
    reader.push(first);
    bytes += first.length;
    opts.onProgress?.(bytes, undefined);
  }
  if (!done) {
    for (;;) {
      const c = await nextChunk(it, name);
      if (c === undefined) break;
      reader.push(c);
      bytes += c.length;
      opts.onProgress?.(bytes, undefined);
      if (opts.stop?.()) break;
    }
  }
  return { ...reader.end(), bytes };
}

/** Reads a capture held in memory (tests, small inputs); gzip is decompressed. Never throws on content. */
export function readCaptureBytes(data: Uint8Array, onFrame: (f: Frame) => void, opts: ReadOptions = {}): ReadResult {
  const reader = new CaptureReader(onFrame, opts.onWarning);
  if (isGzipStart(data)) {
    let plain: Buffer;
    try {
      plain = gunzipSync(data);
    } catch (e) {
      // Decompress what we can so that a truncated .gz still yields its complete frames.
      plain = gunzipPartial(data);
      reader.push(plain);
      return { ...gzipEnd(reader.end(), e, plain.length), bytes: data.length };
    }
    reader.push(plain);
    return { ...reader.end(), bytes: data.length };
  }
  reader.push(data);
  return { ...reader.end(), bytes: data.length };
}

// ---------------------------------------------------------------------------------------------

async function readGzip(
  source: Readable,
  onFrame: (f: Frame) => void,
  opts: ReadOptions,
  total: number | undefined,
  name: string,
): Promise<ReadResult> {
  const reader = new CaptureReader(onFrame, opts.onWarning);
  let bytes = 0;
  let plainBytes = 0;
  source.on('data', (c: Uint8Array) => {
    bytes += c.length;
  });
  const gunzip = createGunzip({ chunkSize: 256 * 1024 });
  // Forward source errors (I/O) into the gunzip stream so the loop below sees them.
  source.on('error', (e) => gunzip.destroy(e));
  source.pipe(gunzip);
  try {
    for await (const c of gunzip as AsyncIterable<Buffer>) {
      reader.push(c);
      plainBytes += c.length;
      opts.onProgress?.(bytes, total);
      if (opts.stop?.()) {
        source.unpipe(gunzip);
        source.destroy();
        break;
      }
    }
  } catch (e) {
    if (!isZlibError(e)) throw e instanceof CaptureOpenError ? e : openError(name, e);
    return { ...gzipEnd(reader.end(), e, plainBytes), bytes };
  }
  return { ...reader.end(), bytes };
}

/** Folds a zlib failure into the reader's end: a cut gzip stream is a truncated capture. */
function gzipEnd(end: CaptureEnd, e: unknown, plainBytes: number): CaptureEnd {
  const code = (e as { code?: string }).code;
  const msg = (e as Error).message;
  const why = `gzip stream ends early (${msg}) after ${plainBytes} decompressed bytes`;
  if (end.status === 'invalid') {
    // Cut before the capture's magic: too little to name a format, so still invalid, but say why.
    return code === 'Z_BUF_ERROR' && plainBytes < 4 ? { ...end, reason: why } : end;
  }
  if (code === 'Z_BUF_ERROR') {
    if (end.status === 'truncated') return { ...end, reason: `${end.reason}; ${why}` };
    return { status: 'truncated', format: end.format, frames: end.frames, offset: plainBytes, reason: why };
  }
  return { status: 'invalid', frames: end.frames, offset: plainBytes, reason: `gzip data is corrupt (${msg}) after ${plainBytes} decompressed bytes` };
}

function gunzipPartial(data: Uint8Array): Buffer {
  // zlib's sync API gives nothing on error; a flush-mode decompress returns what was decodable.
  try {
    return gunzipSync(data, { finishFlush: 2 /* Z_SYNC_FLUSH */ });
  } catch {
    return Buffer.alloc(0);
  }
}

function isZlibError(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('Z_');
}

async function nextChunk(it: AsyncIterator<Uint8Array | string>, name: string): Promise<Uint8Array | undefined> {
  let r: IteratorResult<Uint8Array | string>;
  try {
    r = await it.next();
  } catch (e) {
    throw openError(name, e);
  }
  if (r.done) return undefined;
  return typeof r.value === 'string' ? Buffer.from(r.value, 'latin1') : r.value;
}

async function* restOf(first: Uint8Array, it: AsyncIterator<Uint8Array | string>, name: string): AsyncGenerator<Uint8Array> {
  yield first;
  for (;;) {
    const c = await nextChunk(it, name);
    if (c === undefined) return;
    yield c;
  }
}

function readAt(fd: number, buf: Buffer, path: string): number {
  try {
    return readSync(fd, buf, 0, buf.length, null);
  } catch (e) {
    throw openError(path, e);
  }
}

/** A stream of the already-read first bytes followed by the rest of fd (closed at the end). */
function chainedStream(first: Uint8Array, fd: number, path: string, chunkSize: number): Readable {
  const copy = Buffer.from(first);
  return Readable.from(
    (function* () {
      try {
        yield copy;
        for (;;) {
          const buf = Buffer.allocUnsafe(chunkSize);
          const n = readAt(fd, buf, path);
          if (n === 0) return;
          yield buf.subarray(0, n);
        }
      } finally {
        closeSync(fd);
      }
    })(),
  );
}

function streamFromFd(fd: number, path: string): Readable {
  return chainedStream(new Uint8Array(0), fd, path, 64 * 1024);
}

function openError(path: string, e: unknown): CaptureOpenError {
  if (e instanceof CaptureOpenError) return e;
  const code = (e as { code?: unknown } | null)?.code;
  const c = typeof code === 'string' ? code : 'EUNKNOWN';
  const what: Record<string, string> = {
    ENOENT: 'no such file',
    EACCES: 'permission denied',
    EISDIR: 'is a directory',
    EIO: 'I/O error',
  };
  return new CaptureOpenError(path, c, `${path}: ${what[c] ?? (e as Error)?.message ?? String(e)}`);
}
