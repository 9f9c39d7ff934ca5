/**
 * Splitting a configuration across bindings. Workers cap each variable and secret at 5 KB, so a
 * top-level section may be given as `{ "$binding": "NAME" }`; the binding `NAME` then holds
 * that section's JSON (a string, or an object/array for a JSON var). An array section too long
 * for one binding may be `{ "$bindings": ["NAME_1", "NAME_2", …] }`: each binding holds a JSON
 * array and the section is their concatenation, in order. Only one level: the included JSON
 * may not include further bindings.
 */
import { BINDING_NAME, type Issues, type Obj, jsonFailure, show } from "./check.ts";

/**
 * Returns a copy of `o` with `{ "$binding": NAME }` and `{ "$bindings": [...] }` sections
 * replaced by the bindings' JSON. A section that cannot be read is reported and left undefined,
 * so validation does not also call it missing.
 */
export function includeBindings(x: Issues, o: Obj, root: string, secrets: Record<string, unknown>): Obj {
  const out: Obj = { ...o };
  // Each binding is one section or one part of one: the same name twice is a copy-paste slip
  // that would silently duplicate every element it holds.
  const readBy = new Map<string, string>();
  const claim = (name: string, at: string): boolean => {
    const first = readBy.get(name);
    if (first !== undefined) {
      x.add(at, `binding "${name}" is listed twice (also at ${first})`);
      return false;
    }
    readBy.set(name, at);
    return true;
  };
  for (const [key, v] of Object.entries(o)) {
    if (typeof v !== "object" || v === null || Array.isArray(v)) continue;
    const p = `${root}.${key}`;
    if ("$bindings" in v) {
      out[key] = concatenate(x, v as Obj, p, secrets, claim);
      continue;
    }
    if (!("$binding" in v)) continue;
    const keys = Object.keys(v);
    const name = (v as Obj).$binding;
    if (keys.length !== 1 || typeof name !== "string" || !BINDING_NAME.test(name)) {
      x.add(p, `expected { "$binding": "BINDING_NAME" } and nothing else, got ${show(v)}`);
      out[key] = undefined;
      continue;
    }
    out[key] = claim(name, p) ? readBinding(x, p, name, secrets) : undefined;
  }
  return out;
}

/** The binding's JSON value, or undefined (reported) when it is not set or not JSON. */
function readBinding(x: Issues, p: string, name: string, secrets: Record<string, unknown>): unknown {
  const raw = secrets[name];
  if (raw === undefined || raw === null) {
    x.add(p, `binding "${name}" is not set`);
    return undefined;
  }
  if (typeof raw !== "string") return raw;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    x.add(p, `binding "${name}" ${jsonFailure(raw)}`);
    return undefined;
  }
}

/**
 * `{ "$bindings": [NAME, …] }`: the arrays the bindings hold, concatenated. Validation then
 * reports elements by their index in the whole section; `Issues` is told which binding (and
 * which element of it) each index came from, so its messages name both.
 */
function concatenate(
  x: Issues,
  v: Obj,
  p: string,
  secrets: Record<string, unknown>,
  claim: (name: string, at: string) => boolean,
): unknown[] | undefined {
  const names = v.$bindings;
  const shape = `expected { "$bindings": ["BINDING_NAME", …] } and nothing else`;
  if (Object.keys(v).length !== 1 || !Array.isArray(names)) {
    x.add(p, `${shape}, got ${show(v)}`);
    return undefined;
  }
  if (names.length === 0) {
    x.add(`${p}.$bindings`, "is empty: name at least one binding (or give the section inline)");
    return undefined;
  }
  let ok = true;
  names.forEach((n, i) => {
    if (typeof n !== "string" || !BINDING_NAME.test(n)) {
      x.add(`${p}.$bindings[${i}]`, `expected a binding name (letters, digits and "_", not starting with a digit), got ${show(n)}`);
      ok = false;
    } else if (!claim(n, `${p}.$bindings[${i}]`)) {
      ok = false;
    }
  });
  if (!ok) return undefined;
  const all: unknown[] = [];
  const parts: { binding: string; start: number; length: number }[] = [];
  for (const [i, name] of (names as string[]).entries()) {
    const at = `${p}.$bindings[${i}]`;
    const value = readBinding(x, at, name, secrets);
    if (value === undefined) {
      ok = false;
      continue;
    }
    if (!Array.isArray(value)) {
      x.add(at, `binding "${name}" holds ${show(value)}, expected a JSON array (this binding's part of ${p})`);
      ok = false;
      continue;
    }
    parts.push({ binding: name, start: all.length, length: value.length });
    all.push(...(value as unknown[]));
  }
  // A section missing a part would validate with its elements renumbered: report the part only.
  if (!ok) return undefined;
  x.concatenated(p, parts);
  return all;
}
