#!/usr/bin/env node
// The one build step before tsc, vitest or wrangler reads src/: the token inspector's browser
// script (scripts/build-browser.mjs) and the bundled configuration files
// (scripts/build-config-files.mjs, from config/ or STS_CONFIG_DIR). wrangler.toml's [build]
// command (so `wrangler deploy`, `wrangler dev`, `npm start` and `npm run serve`), and npm's
// pretest and pretypecheck, run this, so every path sees the same files.
//
// usage: node scripts/build.mjs [--config-dir DIR]   (passed on to build-config-files.mjs)
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
for (const [step, args] of [["build-browser.mjs", []], ["build-config-files.mjs", process.argv.slice(2)]]) {
  const r = spawnSync(process.execPath, [join(here, step), ...args], { stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
