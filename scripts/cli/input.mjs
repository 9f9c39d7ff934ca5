// What the CLI's commands read from their caller: options, secrets (piped or typed without
// echo) and JSON files. Shared by `config` and `users`.
import { readFileSync } from "node:fs";

/** A mistake in how the command was called: printed with the command's usage, exit 2. */
export class UsageError extends Error {}

/**
 * Reads options, each known as a "flag" (no value), a "value" (`--name value`) or a "list" (a
 * value that may be given again: all of them, in order); the rest are positional.
 */
export function parseArgs(args, known) {
  const opts = {};
  const positional = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith("--")) {
      positional.push(a);
      continue;
    }
    const name = a.slice(2);
    if (!(name in known)) throw new UsageError(`unknown option ${a}`);
    if (known[name] === "flag") opts[name] = true;
    else {
      if (i + 1 >= args.length) throw new UsageError(`${a} needs a value`);
      const v = args[++i];
      if (known[name] === "list") (opts[name] ??= []).push(v);
      else opts[name] = v;
    }
  }
  return { opts, positional };
}

export function readJson(file, what) {
  let text;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    console.error(`${file}: cannot read ${what} file (${e.code ?? e.message})`);
    return undefined;
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    console.error(`${file}: not valid JSON (${e.message})`);
    return undefined;
  }
}

/** Reads a secret from piped stdin, or prompts on a terminal without echo (twice if `confirm`). */
export async function readSecret(prompt, confirm = false) {
  if (!process.stdin.isTTY) {
    const chunks = [];
    for await (const c of process.stdin) chunks.push(c);
    const text = Buffer.concat(chunks).toString("utf8").replace(/\r?\n$/, "");
    if (text === "") throw new UsageError("empty input on stdin");
    return text;
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
