#!/usr/bin/env node
// The one build step before tsc, vitest or wrangler reads src/: the token inspector's browser
// script (scripts/build-browser.mjs) and the bundled configuration files
// (scripts/build-config-files.mjs, from config/ or STS_CONFIG_DIR). wrangler.toml's [build]
// command (so `wrangler deploy`, `wrangler dev`, `npm start` and `npm run serve`), and npm's
// pretest and pretypecheck, run this, so every path sees the same files.
//
// usage: node scripts/build.mjs [--config-dir DIR]
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { bundleConfigFiles, configDir } from "./build-config-files.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const browser = spawnSync(process.execPath, [join(here, "build-browser.mjs")], { stdio: "inherit" });
if (browser.status !== 0) process.exit(browser.status ?? 1);
const i = process.argv.indexOf("--config-dir");
try {
  bundleConfigFiles(configDir(i > 0 ? process.argv[i + 1] : undefined));
} catch (e) {
  console.error(`build: ${e.message}`);
  process.exit(1);
}
