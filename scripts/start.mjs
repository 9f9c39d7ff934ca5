// `npm start [-- --port N]`: the STS under `wrangler dev` on 127.0.0.1 (default port 8787),
// with local Durable Objects persisted under .wrangler/ and, unless STS_CONFIG is set in the
// environment (then it and the secrets it names are passed to the worker from there), the
// embedded DEVELOPMENT configuration (STS_DEV_MODE=1). Any other flags are
// passed to wrangler dev as they are. First the user directory's migrations (src/state/migrations/) are
// applied to the local D1 database wrangler dev will use (none when they already are).
import { spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { WRANGLER, wranglerEnv } from "./wrangler.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
if (args.includes("--help") || args.includes("-h")) {
  console.log(
    "usage: npm start -- [--port N] [--persist-to DIR] [other wrangler dev flags]\n\n" +
      "Serves the STS under wrangler dev on http://127.0.0.1:8787 (or --port), with the embedded DEVELOPMENT\n" +
      "configuration unless STS_CONFIG is set (in the environment, beside the secrets it names, or in .dev.vars),\n" +
      "and the user directory's migrations applied first.\n" +
      "`npm run serve -- --help`: the production bundle in plain workerd instead.",
  );
  process.exit(0);
}
let port = "8787";
const rest = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === "--port" && args[i + 1]) port = args[++i];
  else if (a.startsWith("--port=")) port = a.slice(7);
  else rest.push(a);
}
// The same local state directory as wrangler dev's, if one was chosen.
const persist = rest.findIndex((a) => a === "--persist-to");
const persistTo = persist >= 0 && rest[persist + 1] ? ["--persist-to", rest[persist + 1]] : rest.filter((a) => a.startsWith("--persist-to="));
// No stdin: wrangler then applies without asking.
const migrated = spawnSync(WRANGLER, ["d1", "migrations", "apply", "USERS_DB", "--local", ...persistTo], { cwd: root, stdio: ["ignore", "inherit", "inherit"], env: wranglerEnv() });
if (migrated.status !== 0) {
  console.error("start: applying the user directory's migrations to the local D1 database failed (wrangler d1 migrations apply USERS_DB --local)");
  process.exit(migrated.status ?? 1);
}
const ownConfig = process.env.STS_CONFIG !== undefined;
const vars = ownConfig ? [] : ["--var", "STS_DEV_MODE:1"];
const child = spawn(WRANGLER, ["dev", "--ip", "127.0.0.1", "--port", port, ...vars, ...rest], {
  cwd: root,
  stdio: "inherit",
  env: wranglerEnv({
    // Local runs reach no Cloudflare API: don't try to download the Request.cf sample (it
    // would print a fetch error on every start); requests get miniflare's placeholder.
    CLOUDFLARE_CF_FETCH_ENABLED: "false",
    // wrangler dev gives the worker only .dev.vars / .env entries, not the environment: without
    // this, an STS_CONFIG set there reached the worker as nothing at all (503, not configured).
    // It brings the secrets the configuration names from the environment too (a .dev.vars file,
    // when there is one, is read instead, as wrangler always does).
    ...(ownConfig ? { CLOUDFLARE_INCLUDE_PROCESS_ENV: "true" } : {}),
  }),
});
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => child.kill(sig));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
