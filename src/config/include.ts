/**
 * Splitting a configuration across bindings. Workers cap each variable and secret at 5 KB, so a
 * top-level section may be given as `{ "$binding": "NAME" }`; the binding `NAME` then holds
 * that section's JSON (a string, or an object/array for a JSON var). Only one level: the
 * included JSON may not include further bindings.
 */
import { type Issues, type Obj, jsonFailure, show } from "./check.ts";

/** Returns a copy of `o` with `{ "$binding": NAME }` sections replaced by the binding's JSON. */
export function includeBindings(x: Issues, o: Obj, root: string, secrets: Record<string, unknown>): Obj {
  const out: Obj = { ...o };
  for (const [key, v] of Object.entries(o)) {
    if (typeof v !== "object" || v === null || Array.isArray(v) || !("$binding" in v)) continue;
    const p = `${root}.${key}`;
    const keys = Object.keys(v);
    const name = (v as Obj).$binding;
    if (keys.length !== 1 || typeof name !== "string" || !/^[A-Za-z_][A-Za-z0-9_]{0,127}$/.test(name)) {
      x.add(p, `expected { "$binding": "BINDING_NAME" } and nothing else, got ${show(v)}`);
      out[key] = undefined;
      continue;
    }
    const raw = secrets[name];
    if (raw === undefined || raw === null) {
      x.add(p, `binding "${name}" is not set`);
      out[key] = undefined;
      continue;
    }
    if (typeof raw !== "string") {
      out[key] = raw;
      continue;
    }
    try {
      out[key] = JSON.parse(raw) as unknown;
    } catch {
      x.add(p, `binding "${name}" ${jsonFailure(raw)}`);
      out[key] = undefined;
    }
  }
  return out;
}
