#!/usr/bin/env node
// `npm run sts -- <command> [args]` — the STS's command-line tools (Node 22, plain ESM).
// Each command lives in scripts/cli/<command>.mjs and exports `run(args)` returning (or
// resolving to) an exit code.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { explain } from "./cli/errors.mjs";

const COMMANDS = {
  keys: "generate and inspect signing keys",
  config: "hash passwords and secrets, make a client secret, check a configuration before deploying it",
  token: "request a token over WS-Trust (discovers the endpoint from /trust/mex)",
  exchange: "OAuth 2.0 token exchange (RFC 8693) of a token file, optionally DPoP-bound",
  validate: "WS-Trust Validate of a token file (status, or --token-type to transform)",
  renew: "WS-Trust Renew of a token file",
  cancel: "WS-Trust Cancel of a token file",
  users: "the user directory of a running STS: add, list, show, change, delete, import",
  "revoke-subject": "revoke every token a subject holds on a running STS",
  help: "show this help (help <command>: that command's options)",
};

function help() {
  console.log("usage: npm run sts -- <command> [options]\n\ncommands:");
  for (const [name, what] of Object.entries(COMMANDS)) console.log(`  ${name.padEnd(14)} ${what}`);
  console.log("\n`npm run sts -- <command> --help` for a command's options.");
}

async function main(argv) {
  // `npm run` starts scripts in the package's root; file arguments (`--out alice.xml`,
  // `--token`, `--cert`) mean the directory the user typed the command in, which npm passes on.
  if (process.env.npm_lifecycle_event === "sts" && process.env.INIT_CWD) process.chdir(process.env.INIT_CWD);
  let [cmd, ...args] = argv;
  // `help token` asks what `token --help` does, as in git and npm.
  if (cmd === "help" && args.length > 0) [cmd, args] = [args[0], ["--help"]];
  if (!cmd || cmd === "help" || cmd === "--help" || cmd === "-h") {
    help();
    return cmd ? 0 : 2;
  }
  if (!Object.hasOwn(COMMANDS, cmd)) {
    console.error(`sts: unknown command "${cmd}"`);
    help();
    return 2;
  }
  const file = join(dirname(fileURLToPath(import.meta.url)), "cli", `${cmd}.mjs`);
  if (!existsSync(file)) {
    console.error(`sts: the "${cmd}" command is not available in this checkout (missing scripts/cli/${cmd}.mjs)`);
    return 2;
  }
  const mod = await import(pathToFileURL(file).href);
  if (typeof mod.run !== "function") {
    console.error(`sts: scripts/cli/${cmd}.mjs does not export run(args)`);
    return 2;
  }
  try {
    const code = await mod.run(args);
    return typeof code === "number" ? code : 0;
  } catch (e) {
    console.error(`sts ${cmd}: ${explain(e)}`);
    return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(`sts: ${err?.stack ?? err}`);
    process.exitCode = 1;
  },
);
