// Running the project's wrangler from a script: its environment, and the production bundle
// build that `serve` and the benchmark tools share.
import { spawnSync } from "node:child_process";
import { delimiter, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** The project's wrangler binary. */
export const WRANGLER = join(ROOT, "node_modules", ".bin", "wrangler");

/**
 * The environment wrangler runs in: the project's Node 22 (the "node" devDependency in
 * node_modules/.bin), then the node running this script, come first on PATH, so wrangler's
 * `#!/usr/bin/env node` finds Node 22 even when the script was started outside npm by a system
 * node that is older; no metrics are sent. `extra` is applied before the process environment.
 */
export function wranglerEnv(extra = {}) {
  return {
    ...extra,
    ...process.env,
    PATH: [join(ROOT, "node_modules", ".bin"), dirname(process.execPath), process.env.PATH ?? ""].join(delimiter),
    WRANGLER_SEND_METRICS: "false",
  };
}

/**
 * Bundles the worker in `cwd` (default: this checkout) exactly as it would be uploaded
 * (`wrangler deploy --dry-run --outdir`), from `config` (default: cwd's wrangler.toml);
 * wrangler's output goes to stderr only when `quiet`.
 * @returns the exit status (0 on success)
 */
export function buildBundle(outdir, { cwd = ROOT, quiet = false, config } = {}) {
  const r = spawnSync(WRANGLER, ["deploy", "--dry-run", "--outdir", outdir, ...(config === undefined ? [] : ["--config", config])], {
    cwd,
    stdio: ["ignore", quiet ? "ignore" : "inherit", "inherit"],
    env: wranglerEnv(),
  });
  return r.status ?? 1;
}
