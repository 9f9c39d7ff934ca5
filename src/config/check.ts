/**
 * Primitive field checks for configuration validation. Each check reports into an `Issues`
 * collector (path + message) and returns the value, a default, or `undefined`, so validation
 * carries on and reports every problem in one pass.
 */

import { findJsonSyntaxError } from "./json-syntax.ts";

/** A plain JSON object. */
export type Obj = Record<string, unknown>;

/** Collects `path: message` lines. */
export class Issues {
  readonly lines: string[] = [];
  private readonly sections: { path: string; parts: readonly { source: string; start: number; length: number }[] }[] = [];
  add(path: string, message: string): void {
    this.lines.push(`${this.where(path)}: ${message}`);
  }
  /**
   * The section at `path` came from bindings or files (`include.ts`): from now on a message
   * about it also names where it came from (`binding NAME`, `file NAME`), which is where the
   * operator edits it. An array section's parts are `{ source, start, length }`: a message about
   * one of its elements, reported by its index in the whole section, names the part and the
   * element's index there. A part of length -1 is the whole value, not an array.
   */
  includedFrom(path: string, parts: readonly { source: string; start: number; length: number }[]): void {
    this.sections.push({ path, parts });
  }
  /**
   * Takes the lines of a part validated on its own (a realm's sections), each `path: message`.
   * A part that is an element of a concatenated section (a realm in `realms` split across
   * bindings) is located as its other elements are, unless the line already names the binding
   * or file it is written in (the realm's own split section): that one is where the operator edits it.
   */
  adopt(lines: readonly string[]): void {
    for (const line of lines) {
      const at = line.indexOf(": ");
      const path = at < 0 ? line : line.slice(0, at);
      this.lines.push(at < 0 || / \((?:binding|file) /.test(path) ? line : `${this.where(path)}${line.slice(at)}`);
    }
  }
  private where(path: string): string {
    // The innermost section wins: a realm's own file inside a whole-configuration file.
    let best: { at: string; depth: number } | undefined;
    for (const { path: section, parts } of this.sections) {
      if (path !== section && !path.startsWith(`${section}[`) && !path.startsWith(`${section}.`)) continue;
      if (best !== undefined && best.depth >= section.length) continue;
      const whole = parts.find((q) => q.length < 0);
      const m = /^\[(\d+)\]/.exec(path.slice(section.length));
      const i = m ? Number(m[1]) : -1;
      const part = m ? parts.find((q) => q.length >= 0 && i >= q.start && i < q.start + q.length) : undefined;
      if (part) best = { at: `${path} (${part.source}, element ${i - part.start})`, depth: section.length };
      else if (whole) best = { at: `${path} (${whole.source})`, depth: section.length };
    }
    return best?.at ?? path;
  }
  /**
   * A required field is absent — unless its path was reported already: a `$binding` section
   * that is not set or not JSON (or a `$bindings` list naming such a binding) is absent for that
   * reason, and "is required" beside it would tell the reader to add what is there.
   */
  required(path: string): void {
    const at = this.where(path);
    if (!this.lines.some((l) => l.startsWith(`${at}: `) || (l.startsWith(path) && /^\.\$(bindings|files)\b/.test(l.slice(path.length))))) this.add(path, "is required");
  }
}

/** Renders a bad value for a message: strings quoted and truncated, containers by kind. */
export function show(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v.length > 60 ? v.slice(0, 60) + "…" : v);
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "object") return "an object";
  return String(v);
}

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Checks `v` is an object whose keys are all in `fields` (typos are errors, not ignored). */
export function obj(x: Issues, v: unknown, path: string, fields: readonly string[]): Obj | undefined {
  if (!isObj(v)) {
    x.add(path, `expected an object, got ${show(v)}`);
    return undefined;
  }
  for (const k of Object.keys(v)) {
    if (!fields.includes(k)) x.add(`${path}.${k}`, `unknown field (expected one of ${fields.join(", ")})`);
  }
  return v;
}

/** Checks an optional (or required) field that must be an object. */
export function subObj(x: Issues, o: Obj, key: string, path: string, fields: readonly string[]): Obj | undefined {
  const v = o[key];
  return v === undefined ? undefined : obj(x, v, `${path}.${key}`, fields);
}

// Printable, no leading/trailing space, no control characters, no lone surrogate (in a /u
// pattern \p{Cs} matches only an unpaired one: such a string has no UTF-8 form).
const TEXT = /^[^\s\p{Cc}\p{Cs}](?:[^\p{Cc}\p{Cs}]*[^\s\p{Cc}\p{Cs}])?$/u;

/** A non-empty single-line string field of at most `max` characters. */
export function str(
  x: Issues,
  o: Obj,
  key: string,
  path: string,
  opts: { required?: boolean; max?: number; multiline?: boolean } = {},
): string | undefined {
  const v = o[key];
  const p = `${path}.${key}`;
  if (v === undefined) {
    if (opts.required) x.required(p);
    return undefined;
  }
  return text(x, v, p, opts.max, opts.multiline);
}

/** Checks one string value (see `str`); `multiline` (PEM) only requires non-blank text. */
export function text(x: Issues, v: unknown, path: string, max = 2048, multiline = false): string | undefined {
  if (typeof v !== "string") {
    x.add(path, `expected a string, got ${show(v)}`);
    return undefined;
  }
  if (multiline ? v.trim() === "" : !TEXT.test(v)) {
    x.add(path, `expected a non-empty string without control characters, unpaired surrogates or surrounding spaces, got ${show(v)}`);
    return undefined;
  }
  if (v.length > max) {
    x.add(path, `must be at most ${max} characters`);
    return undefined;
  }
  return v;
}

/** An integer field in [min, max], or `def` when absent. */
export function int(x: Issues, o: Obj, key: string, path: string, min: number, max: number, def: number): number {
  const v = o[key];
  if (v === undefined) return def;
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
    x.add(`${path}.${key}`, `expected an integer from ${min} to ${max}, got ${show(v)}`);
    return def;
  }
  return v;
}

/** A boolean field, or `def` when absent. */
export function bool(x: Issues, o: Obj, key: string, path: string, def: boolean): boolean {
  const v = o[key];
  if (v === undefined) return def;
  if (typeof v !== "boolean") {
    x.add(`${path}.${key}`, `expected true or false, got ${show(v)}`);
    return def;
  }
  return v;
}

/** One value of an enumeration. */
export function member<T extends string>(x: Issues, v: unknown, path: string, values: readonly T[]): T | undefined {
  if (typeof v === "string" && (values as readonly string[]).includes(v)) return v as T;
  x.add(path, `expected one of ${values.join(", ")}, got ${show(v)}`);
  return undefined;
}

/** An enumeration field: `def` when absent (or `undefined` + "is required" when no default). */
export function oneOf<T extends string>(
  x: Issues,
  o: Obj,
  key: string,
  path: string,
  values: readonly T[],
  def?: T,
): T | undefined {
  const v = o[key];
  if (v === undefined) {
    if (def === undefined) x.add(`${path}.${key}`, "is required");
    return def;
  }
  return member(x, v, `${path}.${key}`, values);
}

/** An array field; `undefined` when absent (reported if required) or not an array. */
export function arr(
  x: Issues,
  o: Obj,
  key: string,
  path: string,
  opts: { required?: boolean; nonEmpty?: boolean } = {},
): unknown[] | undefined {
  const v = o[key];
  const p = `${path}.${key}`;
  if (v === undefined) {
    if (opts.required) x.required(p);
    return undefined;
  }
  if (!Array.isArray(v)) {
    x.add(p, `expected an array, got ${show(v)}`);
    return undefined;
  }
  if (opts.nonEmpty && v.length === 0) x.add(p, "must not be empty");
  return v;
}

/** An array of unique strings (each checked by `each`, default: `text`). */
export function strList(
  x: Issues,
  o: Obj,
  key: string,
  path: string,
  opts: { required?: boolean; nonEmpty?: boolean; each?: (v: unknown, p: string) => string | undefined } = {},
): string[] | undefined {
  const list = arr(x, o, key, path, opts);
  if (!list) return undefined;
  const out: string[] = [];
  list.forEach((v, i) => {
    const p = `${path}.${key}[${i}]`;
    const s = opts.each ? opts.each(v, p) : text(x, v, p);
    if (s === undefined) return;
    if (out.includes(s)) x.add(p, `duplicate value ${show(s)}`);
    else out.push(s);
  });
  return out;
}

/** An array of unique enumeration members. */
export function enumList<T extends string>(
  x: Issues,
  o: Obj,
  key: string,
  path: string,
  values: readonly T[],
  def: readonly T[],
): T[] {
  const list = strList(x, o, key, path, { nonEmpty: true, each: (v, p) => member(x, v, p, values) });
  return list === undefined ? [...def] : (list as T[]);
}

export const BINDING_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/**
 * A `...Secret` field: the *name* of a Worker binding, resolved to its string value.
 * What the field holds is quoted only once a binding of that name exists: until then it may be
 * the secret itself, written where its name belongs (a key, a hash, a password), and messages
 * are logged and printed. The field path says where to look.
 */
export function secretRef(
  x: Issues,
  o: Obj,
  key: string,
  path: string,
  secrets: Record<string, unknown>,
  opts: { required?: boolean } = {},
): string | undefined {
  const name = o[key];
  const p = `${path}.${key}`;
  if (name === undefined) {
    if (opts.required) x.required(p);
    return undefined;
  }
  if (typeof name !== "string" || !BINDING_NAME.test(name)) {
    x.add(p, "expected the name of a secret binding (letters, digits and _, at most 128, not starting with a digit); what is written here is not shown, as it may be the secret itself");
    return undefined;
  }
  const value = secrets[name];
  if (value === undefined || value === null) {
    x.add(p, "names a secret binding that is not set (the name is not shown, as it may be the secret itself)");
    return undefined;
  }
  if (typeof value !== "string" || value.trim() === "") {
    x.add(p, `secret binding "${name}" must hold a non-empty string`);
    return undefined;
  }
  return value.trim();
}

/** An HMAC key must be at least this long. */
const MIN_MAC_SECRET_BYTES = 32;

/** A secret that keys HMACs (`key` names its binding): at least 32 bytes once resolved. */
export function macSecret(x: Issues, o: Obj, key: string, path: string, secrets: Record<string, unknown>): string | undefined {
  const value = secretRef(x, o, key, path, secrets);
  if (value !== undefined && new TextEncoder().encode(value).length < MIN_MAC_SECRET_BYTES) {
    x.add(`${path}.${key}`, `secret binding must hold at least ${MIN_MAC_SECRET_BYTES} bytes`);
    return undefined;
  }
  return value;
}

/**
 * Why a text JSON.parse refused is not JSON: the reason and the line and column, never a snippet
 * of the text (it may be a secret binding, and messages are logged).
 */
export function jsonFailure(text: string): string {
  const e = findJsonSyntaxError(text);
  return e === undefined ? "is not valid JSON" : `is not valid JSON: ${e.reason} at line ${e.line}, column ${e.column}`;
}
