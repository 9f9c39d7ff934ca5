// The one option reader of the bench's helper scripts (profile, worker-profile, ab-http,
// loop-ab): `--name value` pairs, the flags they test with `args.includes`, and `--help`.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** `opt(name, default)`: the value after `--name` in `args`, else the default. */
export function optionReader(args) {
  return (name, dflt) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : dflt;
  };
}

/**
 * With `--help` or `-h` in `args`, prints the script's opening comment (what it does, its
 * `usage:` line and options) and exits 0 — before it serves or loads anything, as a reader
 * asking for help expects. `scriptUrl`: the script's `import.meta.url`.
 */
export function helpOnRequest(args, scriptUrl) {
  if (!args.includes("--help") && !args.includes("-h")) return;
  const lines = readFileSync(fileURLToPath(scriptUrl), "utf8").split("\n");
  const header = [];
  // An executable script's first line is its interpreter, not its usage.
  for (const line of lines[0]?.startsWith("#!") ? lines.slice(1) : lines) {
    if (!line.startsWith("//")) break;
    header.push(line.replace(/^\/\/ ?/, ""));
  }
  process.stdout.write(header.join("\n") + "\n");
  process.exit(0);
}
