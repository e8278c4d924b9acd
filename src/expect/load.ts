// Loading an expectations file (YAML or JSON — JSON is YAML 1.2) or a built-in rubric, with
// every mistake reported as "FILE:LINE: key.path: what is wrong" (exit code 2 in the CLI).

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { UserError } from '../cli/errors.js';
import { ExpectationsSchema, type Check, type ExpectationsFile, type Part } from './schema.js';

/** A loaded file, normalised to parts (a flat `expect:` list becomes one part with id 1). */
export interface Expectations {
  title: string;
  source: string;
  parts: Part[];
}

export interface LoadProblem {
  line: number;
  column: number;
  path: string;
  message: string;
}

export type LoadResult = { ok: true; value: Expectations } | { ok: false; problems: LoadProblem[] };

function pathText(path: readonly PropertyKey[]): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s ? `.${String(p)}` : String(p);
  return s || '(top level)';
}

/** The deepest node of `path` that exists in the document (a missing key is reported at its parent). */
function nodeAt(doc: Document, path: readonly PropertyKey[], keyName?: string): Node | null {
  let node: unknown = doc.contents;
  let found = node as Node | null;
  for (const p of path) {
    if (isMap(node)) {
      const pair = node.items.find((it) => isScalar(it.key) && it.key.value === p);
      if (!pair) break;
      node = pair.value;
      if (node) found = node as Node;
      else {
        found = pair.key as Node;
        break;
      }
    } else if (isSeq(node) && typeof p === 'number' && node.items[p]) {
      node = node.items[p];
      found = node as Node;
    } else break;
  }
  if (keyName && isMap(found)) {
    const pair = found.items.find((it) => isPair(it) && isScalar(it.key) && it.key.value === keyName);
    if (pair && isScalar(pair.key)) return pair.key;
  }
  return found;
}

/** Parse and validate expectations text. Never throws on bad input: returns the problems. */
export function parseExpectations(text: string, source: string): LoadResult {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    return {
      ok: false,
      problems: doc.errors.map((e) => {
        const pos = lc.linePos(e.pos[0]);
        return { line: pos.line, column: pos.col, path: '', message: e.message.split('\n')[0]! };
      }),
    };
  }
  const data: unknown = doc.toJS({ maxAliasCount: 100 });
  const parsed = ExpectationsSchema.safeParse(data ?? {});
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => {
        const keys = (issue as { keys?: string[] }).keys;
        const node = nodeAt(doc, issue.path, keys?.[0]);
        const pos = lc.linePos(node?.range?.[0] ?? 0);
        const message = keys?.length ? `unknown key${keys.length > 1 ? 's' : ''} ${keys.map((k) => `"${k}"`).join(', ')}` : issue.message;
        return { line: pos.line, column: pos.col, path: pathText(issue.path), message };
      }),
    };
  }
  const problems = [...duplicatePartIds(parsed.data, doc, lc), ...unknownNeeds(parsed.data, doc, lc)];
  if (problems.length) return { ok: false, problems };
  return { ok: true, value: normalise(parsed.data, source) };
}

function duplicatePartIds(f: ExpectationsFile, doc: Document, lc: LineCounter): LoadProblem[] {
  const seen = new Set<string>();
  const out: LoadProblem[] = [];
  f.parts?.forEach((p, i) => {
    const id = String(p.id);
    if (seen.has(id)) {
      const node = nodeAt(doc, ['parts', i, 'id']);
      const pos = lc.linePos(node?.range?.[0] ?? 0);
      out.push({ line: pos.line, column: pos.col, path: `parts[${i}].id`, message: `part id ${id} is used twice` });
    }
    seen.add(id);
  });
  return out;
}

/** `needs` may name only checks that come earlier in the same part (so evaluation is one pass). */
function unknownNeeds(f: ExpectationsFile, doc: Document, lc: LineCounter): LoadProblem[] {
  const out: LoadProblem[] = [];
  const lists: [Check[], (string | number)[]][] = f.parts ? f.parts.map((p, i) => [p.expect, ['parts', i, 'expect']]) : [[f.expect ?? [], ['expect']]];
  for (const [checks, at] of lists) {
    const seen = new Set<string>();
    checks.forEach((c, k) => {
      for (const n of typeof c.needs === 'string' ? [c.needs] : (c.needs ?? [])) {
        if (seen.has(n)) continue;
        const path = [...at, k, 'needs'];
        const pos = lc.linePos(nodeAt(doc, path)?.range?.[0] ?? 0);
        out.push({ line: pos.line, column: pos.col, path: pathText(path), message: `needs "${n}", which is not the id of an earlier check of this part` });
      }
      if (c.id) seen.add(c.id);
    });
  }
  return out;
}

function normalise(f: ExpectationsFile, source: string): Expectations {
  const parts: Part[] = f.parts ?? [{ id: 1, title: f.title, expect: f.expect as Check[] }];
  return { title: f.title ?? source, source, parts };
}

export function formatProblems(source: string, problems: LoadProblem[]): string {
  return problems.map((p) => `${source}:${p.line}:${p.column}: ${p.path ? p.path + ': ' : ''}${p.message}`).join('\n');
}

/** Where the built-in rubrics live: `rubrics/` at the package root, found from this module
 *  whether it runs from src/ (tsx) or dist/src/ (compiled). */
export function builtinRubricPath(name: string): string | null {
  if (!/^[a-z0-9-]+$/.test(name)) return null;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, 'rubrics', `${name}.yaml`);
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  return null;
}

/** Keep only the listed parts ("5" or "3,5"); an unknown part is a user error. */
export function selectParts(e: Expectations, selector: string): Expectations {
  const wanted = selector.split(',').map((s) => s.trim()).filter(Boolean);
  const parts: Part[] = [];
  for (const w of wanted) {
    const p = e.parts.find((x) => String(x.id) === w);
    if (!p) throw new UserError(`${e.source} has no part "${w}" (parts: ${e.parts.map((x) => x.id).join(', ')})`);
    parts.push(p);
  }
  return { ...e, parts };
}

/**
 * Resolve `--expect` / `--rubric`: a built-in name (`lab2`, `lab2:5`, `lab2:3,5`) or a file
 * (`my.yaml`, `my.yaml:5` when that file exists without the suffix). Throws UserError (exit 2)
 * with file:line: key for every problem.
 */
export function loadExpectations(spec: string): Expectations {
  const { path, selector, source } = resolveSpec(spec);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UserError(`cannot read expectations file ${path}: ${(err as Error).message}`);
  }
  const r = parseExpectations(text, source);
  if (!r.ok) throw new UserError(`invalid expectations file\n${formatProblems(source, r.problems)}`);
  return selector ? selectParts(r.value, selector) : r.value;
}

/** The text of a built-in rubric (for `mqtt-analyze rubric NAME`). */
export function builtinRubricText(name: string): string {
  const path = builtinRubricPath(name);
  if (!path) throw new UserError(`no built-in rubric "${name}" (built-in: lab2)`);
  return readFileSync(path, 'utf8');
}

function resolveSpec(spec: string): { path: string; selector: string | null; source: string } {
  if (existsSync(spec)) return { path: spec, selector: null, source: spec };
  const m = /^(.*):([A-Za-z0-9_.,-]+)$/.exec(spec);
  const base = m ? m[1]! : spec;
  const selector = m ? m[2]! : null;
  if (m && existsSync(base)) return { path: base, selector, source: base };
  const builtin = builtinRubricPath(base);
  if (builtin) return { path: builtin, selector, source: base };
  throw new UserError(`no expectations file "${spec}" (and no built-in rubric "${base}"; built-in: lab2)`);
}
