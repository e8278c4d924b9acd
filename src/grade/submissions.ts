// Finding the students of a class and their files: a folder (one capture or one folder per
// student) or an LMS zip export (Moodle: "Jane Doe_12345_assignsubmission_file_/lab2.pcapng").
// A zip is extracted under the output folder with every path sanitised, so no entry can land
// outside it (zip-slip), symlinks are never created, and sizes are capped (zip bombs).
// Nothing in a submission is ever executed: files are only read as captures.

import { createWriteStream, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { basename, extname, join, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import yauzl from 'yauzl';
import { UserError } from '../cli/errors.js';

export interface StudentFile {
  /** Name as the student gave it (for matching `files:` patterns and for the feedback). */
  name: string;
  /** Where it is on disk now (inside the output folder for a zip). */
  path: string;
}

export interface Student {
  /** Display name, e.g. "Jane Doe". */
  name: string;
  /** LMS id when the export has one ("12345"), else "". */
  id: string;
  /** A file-system safe, unique key (feedback file name). */
  key: string;
  files: StudentFile[];
  /** Problems met while collecting the files (skipped symlink, entry too large, ...). */
  notes: string[];
}

export interface SubmissionLimits {
  /** Largest file taken from a zip (bytes). */
  maxEntryBytes: number;
  /** All files of a zip together (bytes). */
  maxTotalBytes: number;
  /** Files per student. */
  maxFilesPerStudent: number;
}

export const DEFAULT_LIMITS: SubmissionLimits = {
  maxEntryBytes: 1 << 30,
  maxTotalBytes: 8 * (1 << 30),
  maxFilesPerStudent: 50,
};

const MOODLE = /^(.+?)_(\d+)_assignsubmission_[a-z]+_?$/i;
const MOODLE_FILE = /^(.+?)_(\d+)_assignsubmission_[a-z]+_(.+)$/i;

/** "Jane Doe_12345_assignsubmission_file_" → { name: "Jane Doe", id: "12345" }. */
export function parseStudentFolder(folder: string): { name: string; id: string } {
  const m = MOODLE.exec(folder);
  return m ? { name: m[1]!, id: m[2]! } : { name: folder, id: '' };
}

/** A top-level file: "Jane Doe_12345_assignsubmission_file_lab2.pcap" (flat Moodle export)
 *  or "jane.pcapng" (one capture per student). */
export function parseStudentFile(file: string): { name: string; id: string; fileName: string } {
  const m = MOODLE_FILE.exec(file);
  if (m) return { name: m[1]!, id: m[2]!, fileName: m[3]! };
  const ext = extname(file);
  return { name: ext ? file.slice(0, -ext.length) : file, id: '', fileName: file };
}

/** Letters, digits, space, dot, dash, underscore; never empty, never a dot-name. */
export function safeName(s: string): string {
  const t = s.normalize('NFC').replace(/[^\p{L}\p{N} ._-]/gu, '_').replace(/^[.\s]+/, '').trim().slice(0, 120);
  return t || '_';
}

function studentKey(name: string, id: string, used: Set<string>): string {
  const base = safeName(id ? `${name}_${id}` : name);
  let key = base;
  for (let k = 2; used.has(key.toLowerCase()); k++) key = `${base}-${k}`;
  used.add(key.toLowerCase());
  return key;
}

// ---------------------------------------------------------------------------------------------
// Folder

function filesUnder(dir: string, rel: string, out: StudentFile[], notes: string[], limits: SubmissionLimits, depth: number): void {
  let entries: string[];
  try {
    entries = readdirSync(dir).sort();
  } catch (err) {
    notes.push(`could not read folder ${rel || '.'}: ${(err as Error).message}`);
    return;
  }
  for (const e of entries) {
    const p = join(dir, e);
    const r = rel ? `${rel}/${e}` : e;
    let st;
    try {
      st = lstatSync(p);
    } catch {
      continue;
    }
    if (st.isSymbolicLink()) notes.push(`skipped ${r}: a symbolic link`);
    else if (st.isDirectory()) {
      if (depth < 4) filesUnder(p, r, out, notes, limits, depth + 1);
      else notes.push(`skipped ${r}: folders nested too deep`);
    } else if (st.isFile()) {
      if (out.length >= limits.maxFilesPerStudent) {
        notes.push(`skipped ${r}: more than ${limits.maxFilesPerStudent} files`);
        continue;
      }
      out.push({ name: r, path: p });
    }
  }
}

/** Students by name and id, in the order first seen; one folder or zip entry may add a file to
 *  a student another entry created (Moodle puts each file in its own folder). */
function studentRegistry(): { students: Student[]; create(name: string, id: string): Student; studentFor(name: string, id: string): Student } {
  const used = new Set<string>();
  const byKey = new Map<string, Student>();
  const students: Student[] = [];
  /** A student of their own (a folder), not shared with entries of the same name and id. */
  const create = (name: string, id: string): Student => {
    const s: Student = { name, id, key: studentKey(name, id, used), files: [], notes: [] };
    students.push(s);
    return s;
  };
  const studentFor = (name: string, id: string): Student => {
    const k = `${name}\u0000${id}`;
    let s = byKey.get(k);
    if (!s) {
      s = create(name, id);
      byKey.set(k, s);
    }
    return s;
  };
  return { students, create, studentFor };
}

export function studentsFromFolder(dir: string, limits: SubmissionLimits = DEFAULT_LIMITS): Student[] {
  const { students, create, studentFor } = studentRegistry();
  for (const e of readdirSync(dir).sort()) {
    if (e.startsWith('.')) continue;
    const p = join(dir, e);
    const st = lstatSync(p);
    if (st.isDirectory()) {
      const { name, id } = parseStudentFolder(e);
      const s = create(name, id);
      filesUnder(p, '', s.files, s.notes, limits, 0);
    } else if (st.isFile()) {
      const { name, id, fileName } = parseStudentFile(e);
      studentFor(name, id).files.push({ name: fileName, path: p });
    }
  }
  return students;
}

// ---------------------------------------------------------------------------------------------
// Zip

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

/** Split a zip entry name into safe path segments; null when it tries to leave its folder. */
export function safeEntryPath(entryName: string): string[] | null {
  const name = entryName.replace(/\\/g, '/');
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return null;
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.some((p) => p === '..')) return null;
  return parts.map(safeName);
}

/** Entry names are UTF-8 when general purpose bit 11 is set, else CP437 (ASCII is the same;
 *  other CP437 bytes are shown as Latin-1, which is close enough for a file name). */
function entryFileName(entry: yauzl.Entry): string {
  const raw = entry.fileName as unknown as Buffer | string;
  if (typeof raw === 'string') return raw;
  return raw.toString(entry.generalPurposeBitFlag & 0x800 ? 'utf8' : 'latin1');
}

function openZip(path: string): Promise<yauzl.ZipFile> {
  return new Promise((res, rej) =>
    // decodeStrings: false — yauzl would reject the whole zip on one "../" entry; we decode and
    // sanitise names ourselves so one hostile entry is skipped and the rest is graded.
    yauzl.open(path, { lazyEntries: true, autoClose: true, validateEntrySizes: true, decodeStrings: false }, (err, zip) =>
      err || !zip ? rej(err ?? new Error('cannot open zip')) : res(zip),
    ),
  );
}

function entryStream(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<NodeJS.ReadableStream> {
  return new Promise((res, rej) => zip.openReadStream(entry, (err, s) => (err || !s ? rej(err ?? new Error('cannot read entry')) : res(s))));
}

/** Counts bytes and stops the copy at a cap (the sizes in a zip's directory can lie). */
function capped(limit: number, onBytes: (n: number) => void): Transform {
  let n = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      n += chunk.length;
      onBytes(chunk.length);
      if (n > limit) cb(new Error(`larger than ${Math.round(limit / 1e6)} MB`));
      else cb(null, chunk);
    },
  });
}

/**
 * Extract an LMS zip into `dest` (created) and list its students. A broken zip is a user
 * error; a broken entry becomes a note on that student and the rest goes on.
 */
export async function studentsFromZip(zipPath: string, dest: string, limits: SubmissionLimits = DEFAULT_LIMITS): Promise<Student[]> {
  let zip: yauzl.ZipFile;
  try {
    zip = await openZip(zipPath);
  } catch (err) {
    throw new UserError(`cannot read zip ${zipPath}: ${(err as Error).message}`);
  }
  const root = resolve(dest);
  mkdirSync(root, { recursive: true });
  const { students, studentFor } = studentRegistry();
  let total = 0;
  await new Promise<void>((res, rej) => {
    zip.on('error', rej);
    zip.on('end', () => res());
    zip.on('entry', (entry: yauzl.Entry) => {
      void (async () => {
        const entryName = entryFileName(entry);
        const isDir = entryName.endsWith('/');
        const parts = safeEntryPath(entryName);
        if (parts && parts.length && parts[0]!.startsWith('__MACOSX')) return;
        if (isDir) {
          // A student folder with nothing in it is still a student (who gets "no files").
          if (parts && parts.length === 1) {
            const f = parseStudentFolder(entryName.replace(/\\/g, '/').split('/').filter(Boolean)[0]!);
            studentFor(f.name, f.id);
          }
          return;
        }
        if (!parts || !parts.length) {
          studentFor('(unknown)', '').notes.push(`skipped zip entry "${entryName}": its path leaves the folder`);
          return;
        }
        // The student's name comes from the raw folder name (shown escaped); disk paths from the safe one.
        const raw = entryName.replace(/\\/g, '/').split('/').filter((x) => x !== '' && x !== '.');
        let s: Student;
        let rel: string[];
        if (parts.length === 1) {
          const f = parseStudentFile(raw[0]!);
          s = studentFor(f.name, f.id);
          rel = [safeName(f.fileName)];
        } else {
          const f = parseStudentFolder(raw[0]!);
          s = studentFor(f.name, f.id);
          rel = parts.slice(1);
        }
        const shown = rel.join('/');
        const mode = (entry.externalFileAttributes >>> 16) & S_IFMT;
        if (mode === S_IFLNK) return void s.notes.push(`skipped ${shown}: a symbolic link`);
        if (s.files.length >= limits.maxFilesPerStudent) return void s.notes.push(`skipped ${shown}: more than ${limits.maxFilesPerStudent} files`);
        if (entry.uncompressedSize > limits.maxEntryBytes) return void s.notes.push(`could not read ${shown}: larger than ${Math.round(limits.maxEntryBytes / 1e6)} MB`);
        if (total + entry.uncompressedSize > limits.maxTotalBytes) return void s.notes.push(`could not read ${shown}: the zip holds more than ${Math.round(limits.maxTotalBytes / 1e9)} GB`);
        const dir = join(root, s.key, ...rel.slice(0, -1));
        const target = join(dir, rel[rel.length - 1]!);
        // Belt and braces: the sanitised path must still be inside the destination.
        if (!resolve(target).startsWith(root + sep)) return void s.notes.push(`skipped ${shown}: its path leaves the folder`);
        try {
          mkdirSync(dir, { recursive: true });
          const input = await entryStream(zip, entry);
          await pipeline(input, capped(limits.maxEntryBytes, (n) => (total += n)), createWriteStream(target, { flags: 'wx' }));
          s.files.push({ name: shown, path: target });
        } catch (err) {
          s.notes.push(`could not read ${shown} from the zip: ${(err as Error).message}`);
        }
      })().then(
        () => zip.readEntry(),
        (err) => rej(err),
      );
    });
    zip.readEntry();
  });
  for (const s of students) s.files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return students;
}

export function isZip(path: string): boolean {
  return /\.zip$/i.test(basename(path));
}
