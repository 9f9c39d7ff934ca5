// The built bundle (dist/) served a second time, with the development configuration changed
// for one check (a setting the development configuration leaves off), on a port of its own:
// STS_CONFIG and extra secrets go in through serve's --vars-file.
import { existsSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startServeChild } from "../bench/serve-child.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Whether there is a built bundle to serve (`npm run build`, or the interop run's own build). */
export const bundleBuilt = () => existsSync(join(ROOT, "dist", "index.js"));

/**
 * Serves dist/ with `change(DEV_CONFIG)` as its configuration and `secrets` beside the
 * development ones, state and log under `work/<name>-*`. Resolves once it answers, to its base
 * URL and a `stop()`.
 */
export async function serveVariant({ work, name, port, change, secrets = {} }) {
  const { DEV_CONFIG, DEV_SECRETS } = await import("../../src/config/dev.ts");
  const envFile = join(work, `${name}.env.json`);
  writeFileSync(envFile, JSON.stringify({ ...DEV_SECRETS, ...secrets, STS_CONFIG: JSON.stringify(change(DEV_CONFIG)) }), { mode: 0o600 });
  const args = [join(ROOT, "scripts", "serve.mjs"), "--port", String(port), "--state-dir", join(work, `${name}-state`), "--vars-file", envFile, "--no-build"];
  const child = await startServeChild(process.execPath, args, { cwd: ROOT, logFile: join(work, `${name}.serve.log`) });
  return { base: `http://127.0.0.1:${port}`, stop: () => child.kill("SIGTERM") };
}
