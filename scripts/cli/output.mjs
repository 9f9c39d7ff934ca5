// Files the CLI writes with what an STS answered. They are checked before the request is sent:
// the request may not be one to repeat (a renewal retires the token it renews, and renewing it
// again revokes the whole family; an exchange binds its token to a DPoP key made for it), so an
// answer that cannot be written afterwards is lost.
import { accessSync, closeSync, constants, fchmodSync, mkdirSync, openSync, statSync, writeSync } from "node:fs";
import { dirname, resolve } from "node:path";

/**
 * Throws, naming the option and the file, unless each of `options` that `opts` gives names a
 * file that can be written: not a directory, and either a file this user may write or a new
 * name in an existing directory this user may write in.
 * @param {Record<string, unknown>} opts  parsed options
 * @param {string[]} options  the names of the options that name output files
 */
export function checkWritable(opts, options) {
  for (const option of options) {
    const path = opts[option];
    if (typeof path !== "string") continue;
    const why = unwritable(path);
    if (why !== undefined) throw new Error(`--${option} ${path}: ${why} (nothing was sent)`);
  }
}

/**
 * Creates the directory `path` names and its missing parents, or throws naming the option, the
 * path and why. Not `mkdir(path, { recursive: true })`: under a directory that refuses new
 * entries with ENOENT (/proc, /sys) Node's recursive mkdir retries for ever, so the command
 * would hang instead of failing.
 * @param {string} path
 * @param {string} option  the option that names it, e.g. "--out"
 */
export function makeDirectory(path, option) {
  const fail = (why) => new Error(`${option} ${path}: ${why}`);
  const missing = [];
  for (let p = resolve(path); ; p = dirname(p)) {
    const existing = stat(p);
    if (typeof existing === "string") throw fail(p === resolve(path) ? existing : `${p} ${existing}`);
    if (existing) {
      if (!existing.isDirectory()) throw fail(p === resolve(path) ? "is not a directory" : `${p} is not a directory`);
      break;
    }
    missing.unshift(p);
    if (dirname(p) === p) break;
  }
  for (const p of missing) {
    try {
      mkdirSync(p);
    } catch (e) {
      if (e.code !== "EEXIST") throw fail(`cannot create the directory ${p} (${e.code ?? e.message})`);
    }
  }
}

/** Why `path` cannot be written, or undefined when it can. */
function unwritable(path) {
  if (path === "") return "names no file";
  const existing = stat(path);
  if (typeof existing === "string") return existing;
  if (existing) {
    if (existing.isDirectory()) return "is a directory";
    return writable(path) ? undefined : "cannot be written (no permission)";
  }
  const dir = dirname(resolve(path));
  const parent = stat(dir);
  if (typeof parent === "string") return parent;
  if (!parent) return `its directory ${dir} does not exist`;
  if (!parent.isDirectory()) return `${dir} is not a directory`;
  return writable(dir) ? undefined : `its directory ${dir} cannot be written in (no permission)`;
}

/** The file's stats, undefined when there is none, or why it cannot be looked at. */
function stat(path) {
  try {
    return statSync(path);
  } catch (e) {
    if (e.code === "ENOENT") return undefined;
    if (e.code === "ENOTDIR") return "a part of its path is not a directory";
    return `cannot be looked at (${e.code ?? e.message})`;
  }
}

function writable(path) {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Writes a secret (a private key, a proof key) to `path`, readable by its owner alone. A mode
 * given to writeFileSync applies only when it makes the file: one that already exists, made
 * 0644 by an earlier `> file` or a copy, would keep its mode and hand the new secret to every
 * local user. So the mode is set on the open file, before anything is written into it.
 */
export function writePrivateFile(path, data) {
  const fd = openSync(path, "w", 0o600);
  try {
    fchmodSync(fd, 0o600);
    writeSync(fd, data);
  } finally {
    closeSync(fd);
  }
}
