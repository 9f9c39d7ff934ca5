// What the CLI's commands read from their caller: options, secrets (piped or typed without
// echo) and JSON files. Shared by every command.
import { isUtf8 } from "node:buffer";
import { readFileSync } from "node:fs";

/** A mistake in how the command was called: printed with the command's usage, exit 2. */
export class UsageError extends Error {}

/**
 * A file the caller named cannot be used: exit 2 as a usage error, but one line, since the
 * usage says nothing about why a file cannot be read.
 */
export class FileUsageError extends UsageError {}

/** `--help` or `-h` among the options: the command prints its usage, exit 0. */
export class HelpRequested extends Error {}

/**
 * The one option parser of every command. Each option is known as a "flag" (no value), a
 * "value", a "list" (a value that may be given again: all of them, in order) or an array of the
 * values it may take. A value follows its option (`--url URL`) or is joined to it with "="
 * (`--url=URL`); it is taken as given even when it starts with "-" (a password may). `--`
 * ends the options; the other arguments are positional.
 *
 * `--help` / `-h` wins over any mistake in the other options (the usage is what the caller
 * needs then): it throws HelpRequested. Mistakes throw one UsageError naming each option.
 * @param {string[]} args
 * @param {Record<string, "flag"|"value"|"list"|string[]>} known
 * @returns {{ opts: Record<string, any>, positional: string[] }}
 */
export function parseArgs(args, known) {
  const opts = {};
  const positional = [];
  const mistakes = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--") {
      positional.push(...args.slice(i + 1));
      break;
    }
    if (a === "--help" || a === "-h") throw new HelpRequested("help");
    if (!a.startsWith("-") || a === "-") {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf("=");
    const name = a.startsWith("--") ? a.slice(2, eq < 0 ? undefined : eq) : undefined;
    const kind = name !== undefined && Object.hasOwn(known, name) ? known[name] : undefined;
    // A misspelt option (--tokentype) must not be dropped for a default the caller did not ask for.
    if (kind === undefined) {
      mistakes.push(`unknown option ${eq < 0 ? a : a.slice(0, eq)}`);
      continue;
    }
    if (kind === "flag") {
      if (eq < 0) opts[name] = true;
      else mistakes.push(`--${name} takes no value`);
      continue;
    }
    let v;
    if (eq >= 0) v = a.slice(eq + 1);
    else if (i + 1 < args.length) v = args[++i];
    else {
      mistakes.push(`--${name} needs a value`);
      continue;
    }
    if (Array.isArray(kind) && !kind.includes(v)) mistakes.push(`--${name} must be ${oneOf(kind)}, not "${v}"`);
    if (kind === "list") (opts[name] ??= []).push(v);
    else if (Object.hasOwn(opts, name)) mistakes.push(`--${name} is given twice`);
    else opts[name] = v;
  }
  if (mistakes.length) throw new UsageError(mistakes.join("; "));
  return { opts, positional };
}

/**
 * Runs a command's checks of how it was called: HelpRequested prints the usage (exit 0), a
 * UsageError its message and the usage (exit 2). Any other error goes on to the entry
 * (scripts/sts.mjs), which explains it in one line (exit 1).
 * @returns {Promise<number|undefined>} the exit code `fn` or the usage gives
 */
export async function withUsage(tool, usage, fn) {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof HelpRequested) {
      console.log(usage);
      return 0;
    }
    if (e instanceof UsageError) {
      console.error(e instanceof FileUsageError ? `${tool}: ${e.message}` : `${tool}: ${e.message}\n\n${usage}`);
      return 2;
    }
    throw e;
  }
}

/** "a, b or c". */
function oneOf(values) {
  return values.length === 1 ? values[0] : `${values.slice(0, -1).join(", ")} or ${values.at(-1)}`;
}

/** Throws a UsageError for the first positional argument: for commands that take none. */
export function noPositional(positional) {
  if (positional.length) throw new UsageError(`unexpected argument ${positional[0]}`);
}

/**
 * A whole-number option's value, checked: `fallback` when absent, else an integer from `min`
 * to `max`, or a UsageError naming the option (a value such as "abc" is never sent as NaN).
 */
export function wholeNumber(opts, name, { min, max, fallback, unit }) {
  const v = opts[name];
  if (v === undefined) return fallback;
  const n = /^[0-9]+$/.test(v) ? Number(v) : NaN;
  if (!(Number.isSafeInteger(n) && n >= min && n <= max)) {
    throw new UsageError(`--${name} must be a whole number${unit ? ` of ${unit}` : ""} from ${min} to ${max}, not "${v}"`);
  }
  return n;
}

/** The text of a file an option names, or an error naming the option, the file and why it cannot be read. */
export function readInputFile(path, option) {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    throw new Error(`${option} ${path}: cannot read it (${whyUnreadable(e)})`);
  }
}

/** Why a file could not be read, in words where the system's code is cryptic ("ENOENT"). */
export function whyUnreadable(e) {
  if (e?.code === "ENOENT") return "it does not exist";
  if (e?.code === "EISDIR") return "it is a directory";
  return e?.code ?? e?.message ?? String(e);
}

/**
 * Reads a JSON file, or throws an Error naming the option (when `option` is given) and the file
 * and saying why it cannot be read or parsed: the CLI's entry prints it as every other failure
 * (`sts config: --env secrets.json: cannot read it (it does not exist)`). A parse error gives
 * the reason and the position only: JSON.parse's own message quotes the text, and the file may
 * be secrets (`--env`).
 * @param {string} file
 * @param {string} [option]  the option that names the file; none for a positional argument
 */
export async function readJson(file, option) {
  const label = option === undefined ? file : `${option} ${file}`;
  let bytes;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new Error(`${label}: cannot read it (${whyUnreadable(e)})`);
  }
  // Decoded, each such byte would become U+FFFD in the value it is part of (a claim, a display
  // name, a secret), which then passes every check and is deployed as it was never written.
  const line = firstNonUtf8Line(bytes);
  if (line !== undefined) throw new Error(`${option === undefined ? "" : `${option} `}${notUtf8(file, line, bytes)}`);
  const text = bytes.toString("utf8");
  try {
    return JSON.parse(text);
  } catch {
    const { jsonFailure } = await import(new URL("../../src/config/check.ts", import.meta.url).href);
    throw new Error(`${label}: ${jsonFailure(text)}`);
  }
}

/**
 * What to say of a file whose `line` is not UTF-8. A file that begins with a UTF-16 byte-order
 * mark is said to be UTF-16: Windows PowerShell 5 writes `>` redirections and `Out-File` that way,
 * and spreadsheets their "Unicode text", so guessing Latin-1 there would send its owner to the
 * wrong setting.
 * @param {string} file
 * @param {number} line
 * @param {Uint8Array} [bytes]  the file's bytes, to tell UTF-16 from a single-byte encoding
 */
export function notUtf8(file, line, bytes) {
  const utf16 = bytes !== undefined && bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff));
  return `${file}:${line}: not UTF-8 text (${utf16 ? "saved as UTF-16: it begins with UTF-16's byte-order mark" : "saved as Latin-1 or Windows-1252?"}): save the file as UTF-8`;
}

/**
 * The 1-based line of the first bytes that are not UTF-8 (text saved as Latin-1 or
 * Windows-1252, say), or undefined when all are. A line feed byte is never part of a longer
 * UTF-8 sequence, so each line is judged on its own.
 */
export function firstNonUtf8Line(bytes) {
  if (isUtf8(bytes)) return undefined;
  let line = 1;
  for (let start = 0; start <= bytes.length; line++) {
    let end = bytes.indexOf(0x0a, start);
    if (end === -1) end = bytes.length;
    if (!isUtf8(bytes.subarray(start, end))) return line;
    start = end + 1;
  }
  return undefined;
}

/**
 * A credential the command needs: `--NAME VALUE`, `--NAME-file FILE`, the environment variable
 * `env`, or typed without echo when a terminal is attached. A value on the command line can be
 * read by every user of the machine (`ps`, shell history); the file, the variable and the prompt
 * keep it off the command line.
 * @param {Record<string, any>} opts  parsed with `NAME` and `NAME-file` as "value" options
 * @param {string} name  e.g. "password"
 * @param {string} env  e.g. "STS_PASSWORD"
 * @param {string} what  what it is, for the prompt and the refusal, e.g. "the user's password"
 * @returns {Promise<string>}
 */
export async function credential(opts, name, env, what) {
  const file = `${name}-file`;
  if (opts[name] !== undefined && opts[file] !== undefined) throw new UsageError(`give --${name} or --${file}, not both`);
  if (opts[name] !== undefined) return opts[name];
  if (opts[file] !== undefined) return readCredentialFile(opts[file], `--${file}`);
  const fromEnv = process.env[env];
  if (fromEnv) return fromEnv;
  if (process.stdin.isTTY) return readSecret(`${what[0].toUpperCase()}${what.slice(1)}: `);
  throw new UsageError(`give ${what}: --${file} FILE, ${env}, or --${name} VALUE`);
}

/** How the WS-Trust commands take the user's password, for their usage text. */
export const PASSWORD_HELP = "the password: --password-file FILE, $STS_PASSWORD, typed at the prompt, or --password PW (seen by others in ps)";

/** The user's password of a WS-Trust command (`--password`, `--password-file`, STS_PASSWORD, prompt). */
export function userPassword(opts) {
  return credential(opts, "password", "STS_PASSWORD", "the user's password");
}

/**
 * A secret kept in a file: UTF-8, one trailing line break dropped (as `echo` and editors write
 * it) and a leading byte-order mark too (as some Windows editors save): neither is ever part of
 * a secret, and either left in would fail as a wrong secret with no hint why.
 */
export function readCredentialFile(path, option) {
  let bytes;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new FileUsageError(`${option} ${path}: cannot read it (${whyUnreadable(e)})`);
  }
  const line = firstNonUtf8Line(bytes);
  if (line !== undefined) throw new FileUsageError(`${option} ${path}: line ${line} is not UTF-8 text`);
  const text = bytes.toString("utf8").replace(/^\uFEFF/, "").replace(/\r?\n$/, "");
  if (text === "") throw new FileUsageError(`${option} ${path}: the file is empty`);
  return text;
}

/** Reads a secret from piped stdin, or prompts on a terminal without echo (twice if `confirm`). */
export async function readSecret(prompt, confirm = false) {
  if (!process.stdin.isTTY) {
    const chunks = [];
    for await (const c of process.stdin) chunks.push(c);
    const bytes = Buffer.concat(chunks);
    // Decoding would turn each such byte into U+FFFD: a password that was never typed, which no
    // client sends, so its user could not sign in.
    if (firstNonUtf8Line(bytes) !== undefined) throw new UsageError("stdin is not UTF-8 text: send the secret as UTF-8");
    const text = bytes.toString("utf8").replace(/\r?\n$/, "");
    if (text === "") throw new UsageError("empty input on stdin");
    // A secret is one line. Two equal lines are the "typed twice" of the prompt written into a
    // pipe (`printf 'pw\npw\n'`); any other line break would be stored as part of the secret,
    // one no sign-in form or client sends, so its user could never sign in.
    const lines = text.split(/\r?\n/);
    if (lines.length === 1) return text;
    if (confirm && lines.length === 2 && lines[0] === lines[1] && lines[0] !== "") return lines[0];
    throw new UsageError(
      confirm
        ? `stdin holds ${lines.length} lines: send the secret alone on one line, or the same line twice`
        : `stdin holds ${lines.length} lines: send the secret alone on one line`,
    );
  }
  const first = await promptHidden(prompt);
  if (first === "") throw new UsageError("empty input");
  if (confirm && (await promptHidden("Again: ")) !== first) throw new UsageError("the two entries differ");
  return first;
}

function promptHidden(prompt) {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stderr.write(prompt);
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding("utf8");
    let value = "";
    const done = (err) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.removeListener("data", onData);
      process.stderr.write("\n");
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk) => {
      for (const ch of chunk) {
        if (ch === "\r" || ch === "\n") return done();
        if (ch === "\u0003") return done(new UsageError("interrupted"));
        if (ch === "\u007f" || ch === "\b") value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on("data", onData);
  });
}
