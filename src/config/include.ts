/**
 * Sections that live outside STS_CONFIG. Workers cap each variable and secret at 5 KB, so a
 * section may come from elsewhere, in one of two places:
 *
 * - a binding: `{ "$binding": "NAME" }`, the binding `NAME` holding the section's JSON (a
 *   string, or an object/array for a JSON var); an array section too long for one binding may
 *   be `{ "$bindings": ["NAME_1", "NAME_2", …] }`, the concatenation of their arrays, in order;
 * - a file bundled at deploy time: `{ "$file": "relying-parties.json" }`, a JSON file of the
 *   project's `config/` directory (scripts/build-config-files.mjs puts them in the script), and
 *   `{ "$files": ["a.json", "b.json"] }`, their arrays concatenated. A bundled file is part of
 *   the script, readable by whoever can read the script: no private key may be in one.
 *
 * The whole STS_CONFIG may also be `{ "$file": "sts-config.json" }`. Only one level: what a
 * section's binding or file holds may not refer to further bindings or files.
 */
import { BINDING_NAME, type Issues, type Obj, jsonFailure, show } from "./check.ts";

/** Bundled files, name (relative to the configuration directory, `/`-separated) -> JSON text. */
export type BundledFiles = Readonly<Record<string, string>>;

/** Where section references are resolved. */
export interface Sources {
  /** The Worker's bindings. */
  secrets: Record<string, unknown>;
  /** The bundled files. */
  files: BundledFiles;
}

/** The two places a section can come from, and how a reference to each is spelt. */
interface Kind {
  one: "$binding" | "$file";
  many: "$bindings" | "$files";
  /** "binding" or "file", in messages. */
  noun: string;
  /** Why a name is not acceptable, or undefined when it is. */
  badName(n: unknown): string | undefined;
  /** The value named, or undefined (reported) when it cannot be read. */
  read(x: Issues, at: string, name: string, s: Sources): unknown;
}

const BINDING: Kind = {
  one: "$binding",
  many: "$bindings",
  noun: "binding",
  badName: (n) => (typeof n === "string" && BINDING_NAME.test(n) ? undefined : `expected a binding name (letters, digits and "_", not starting with a digit), got ${show(n)}`),
  read: readBinding,
};

const FILE: Kind = {
  one: "$file",
  many: "$files",
  noun: "file",
  badName: badFileName,
  read: readFile,
};

const KINDS = [BINDING, FILE] as const;

/** True for `{ "$binding" | "$bindings" | "$file" | "$files": … }`. */
export function isReference(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v) && KINDS.some((k) => k.one in v || k.many in v);
}

/**
 * Returns a copy of `o` with its section references replaced by what they name. A section that
 * cannot be read is reported and left undefined, so validation does not also call it missing.
 */
export function includeSections(x: Issues, o: Obj, root: string, s: Sources): Obj {
  const out: Obj = { ...o };
  // Each binding or file is one section or one part of one: the same name twice is a copy-paste
  // slip that would silently duplicate every element it holds.
  const readBy = new Map<string, string>();
  const claim = (kind: Kind, name: string, at: string): boolean => {
    const first = readBy.get(`${kind.noun} ${name}`);
    if (first !== undefined) {
      x.add(at, `${kind.noun} "${name}" is listed twice (also at ${first})`);
      return false;
    }
    readBy.set(`${kind.noun} ${name}`, at);
    return true;
  };
  for (const [key, v] of Object.entries(o)) {
    if (!isReference(v)) continue;
    const p = `${root}.${key}`;
    const kind = KINDS.find((k) => k.one in v || k.many in v)!;
    if (kind.many in v) {
      out[key] = concatenate(x, kind, v, p, s, claim);
      continue;
    }
    const name = v[kind.one];
    const bad = kind.badName(name);
    if (Object.keys(v).length !== 1 || bad !== undefined) {
      x.add(p, `expected { "${kind.one}": "${kind === FILE ? "NAME.json" : "BINDING_NAME"}" } and nothing else, got ${show(v)}${bad === undefined || Object.keys(v).length !== 1 ? "" : ` (${bad})`}`);
      out[key] = undefined;
      continue;
    }
    if (!claim(kind, name as string, p)) {
      out[key] = undefined;
      continue;
    }
    const value = included(x, kind, p, name as string, s);
    if (kind === FILE && value !== undefined) {
      const source = `file ${name as string}`;
      x.includedFrom(p, Array.isArray(value) ? [{ source, start: 0, length: value.length }, { source, start: 0, length: -1 }] : [{ source, start: 0, length: -1 }]);
    }
    out[key] = value;
  }
  return out;
}

/**
 * The whole configuration, when STS_CONFIG is `{ "$file": NAME }`: that file's object, whose
 * sections may refer to bindings and files in turn. Anything else is returned as it is.
 * Undefined (reported) when the file cannot be read.
 */
export function includeWhole(x: Issues, input: unknown, root: string, s: Sources): unknown {
  if (!isReference(input)) return input;
  const name = input.$file;
  const bad = FILE.badName(name);
  if (Object.keys(input).length !== 1 || bad !== undefined) {
    x.add(root, `expected the configuration, or { "$file": "NAME.json" } naming the bundled file that holds it, got ${show(input)}${bad === undefined || Object.keys(input).length !== 1 ? "" : ` (${bad})`}`);
    return undefined;
  }
  const value = readFile(x, root, name as string, s);
  if (value === undefined) return undefined;
  if (isReference(value)) {
    x.add(root, `file "${name as string}" refers to another file or binding: the configuration file must hold the configuration itself`);
    return undefined;
  }
  x.includedFrom(root, [{ source: `file ${name as string}`, start: 0, length: -1 }]);
  return value;
}

/** What a section's binding or file holds, refused when it refers further itself. */
function included(x: Issues, kind: Kind, at: string, name: string, s: Sources): unknown {
  const value = kind.read(x, at, name, s);
  if (isReference(value)) {
    x.add(at, `${kind.noun} "${name}" holds ${show(value)} that refers to another binding or file: a section's ${kind.noun} must hold the section itself (one level only)`);
    return undefined;
  }
  return value;
}

/** The binding's JSON value, or undefined (reported) when it is not set or not JSON. */
function readBinding(x: Issues, p: string, name: string, s: Sources): unknown {
  const raw = s.secrets[name];
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
 * A bundled file name: relative to the configuration directory, `/` between folders, ending in
 * `.json`. `..`, an absolute path and a backslash are refused rather than normalised: the build
 * bundles exactly the names it found, so anything else names a file that is not there.
 */
function badFileName(n: unknown): string | undefined {
  if (typeof n !== "string" || n === "") return `expected a file name, got ${show(n)}`;
  if (n.includes("\\")) return `a file name uses "/" between folders, not "\\": ${show(n)}`;
  if (n.startsWith("/") || /^[A-Za-z]:/.test(n)) return `a file name is relative to the configuration directory, not absolute: ${show(n)}`;
  if (n.split("/").some((seg) => seg === "" || seg === "." || seg === "..")) return `a file name may not have "..", "." or empty folders: ${show(n)}`;
  if (!n.endsWith(".json")) return `only .json files are bundled: ${show(n)}`;
  return undefined;
}

/** The bundled file's JSON value, or undefined (reported) when it is not bundled or not JSON. */
function readFile(x: Issues, p: string, name: string, s: Sources): unknown {
  if (!Object.hasOwn(s.files, name)) {
    const names = Object.keys(s.files).sort();
    const have =
      names.length === 0
        ? "no file is bundled (the build found no config/ directory, or STS_CONFIG_DIR named none)"
        : `the bundled files are ${names.join(", ")}`;
    x.add(p, `file "${name}" is not bundled with this worker: ${have}; add it to the configuration directory and deploy again`);
    return undefined;
  }
  const raw = s.files[name]!;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    x.add(p, `file "${name}" ${jsonFailure(raw)}`);
    return undefined;
  }
}

/**
 * `{ "$bindings" | "$files": [NAME, …] }`: the arrays they hold, concatenated. Validation then
 * reports elements by their index in the whole section; `Issues` is told which binding or file
 * (and which element of it) each index came from, so its messages name both.
 */
function concatenate(
  x: Issues,
  kind: Kind,
  v: Obj,
  p: string,
  s: Sources,
  claim: (kind: Kind, name: string, at: string) => boolean,
): unknown[] | undefined {
  const names = v[kind.many];
  const shape = `expected { "${kind.many}": [${kind === FILE ? '"NAME.json"' : '"BINDING_NAME"'}, …] } and nothing else`;
  if (Object.keys(v).length !== 1 || !Array.isArray(names)) {
    x.add(p, `${shape}, got ${show(v)}`);
    return undefined;
  }
  if (names.length === 0) {
    x.add(`${p}.${kind.many}`, `is empty: name at least one ${kind.noun} (or give the section inline)`);
    return undefined;
  }
  let ok = true;
  names.forEach((n, i) => {
    const bad = kind.badName(n);
    if (bad !== undefined) {
      x.add(`${p}.${kind.many}[${i}]`, bad);
      ok = false;
    } else if (!claim(kind, n as string, `${p}.${kind.many}[${i}]`)) {
      ok = false;
    }
  });
  if (!ok) return undefined;
  const all: unknown[] = [];
  const parts: { source: string; start: number; length: number }[] = [];
  for (const [i, name] of (names as string[]).entries()) {
    const at = `${p}.${kind.many}[${i}]`;
    const value = included(x, kind, at, name, s);
    if (value === undefined) {
      ok = false;
      continue;
    }
    if (!Array.isArray(value)) {
      x.add(at, `${kind.noun} "${name}" holds ${show(value)}, expected a JSON array (this ${kind.noun}'s part of ${p})`);
      ok = false;
      continue;
    }
    parts.push({ source: `${kind.noun} ${name}`, start: all.length, length: value.length });
    all.push(...(value as unknown[]));
  }
  // A section missing a part would validate with its elements renumbered: report the part only.
  if (!ok) return undefined;
  x.includedFrom(p, parts);
  return all;
}

const PRIVATE_KEY = /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/;
const HOLDS_PRIVATE_KEY =
  "holds a PEM private key: bundled files are part of the worker's script, readable by anyone who can read it; keep the key in a secret (wrangler secret put NAME) and name it in a ...Secret field";

/**
 * Reports every PEM private key in the bundled files, each by file and field, whether the
 * configuration refers to the file or not: a bundled file is in the script either way. Keys
 * belong in secrets (`wrangler secret put`), named by the configuration's `...Secret` fields.
 */
export function refusePrivateKeys(x: Issues, root: string, files: BundledFiles): void {
  for (const name of Object.keys(files).sort()) {
    const raw = files[name]!;
    // The text test first: a file without one is not parsed here.
    if (!PRIVATE_KEY.test(raw)) continue;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      x.add(`${root} (file ${name})`, HOLDS_PRIVATE_KEY);
      continue;
    }
    for (const field of keyFields(value, "")) {
      x.add(`${root} (file ${name}, field ${field === "" ? "(the whole file)" : field})`, HOLDS_PRIVATE_KEY);
    }
  }
}

function keyFields(v: unknown, at: string): string[] {
  if (typeof v === "string") return PRIVATE_KEY.test(v) ? [at] : [];
  if (Array.isArray(v)) return v.flatMap((e, i) => keyFields(e, `${at}[${i}]`));
  if (typeof v === "object" && v !== null) return Object.entries(v).flatMap(([k, e]) => keyFields(e, /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k) ? `${at}${at === "" ? "" : "."}${k}` : `${at}[${JSON.stringify(k)}]`));
  return [];
}
