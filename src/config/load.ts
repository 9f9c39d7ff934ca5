/**
 * Where the configuration comes from, decided once per isolate.
 *
 * ## How an operator configures a deployed STS
 *
 * 1. Write the configuration as JSON (shape: `StsConfigInput` in `types.ts`) and supply it as
 *    the `STS_CONFIG` binding: either a `[vars]` entry in `wrangler.toml` (a JSON string, or a
 *    TOML table, which Workers hands over as an object) or a secret
 *    (`wrangler secret put STS_CONFIG < sts-config.json`). Workers limit each variable and
 *    secret to 5 KB, so keep it to references and policy; when it still does not fit, any
 *    top-level section can live in its own binding: `"relyingParties": { "$binding":
 *    "STS_RELYING_PARTIES" }` with that binding holding the section's JSON; an array section
 *    too long for one binding can be `{ "$bindings": ["RPS_1", "RPS_2", …] }`, each binding
 *    holding part of the array (`sts config split` writes both). A large configuration's
 *    non-secret sections can instead be JSON files of the project's `config/` directory,
 *    bundled into the script at deploy time: `{ "$file": "relying-parties.json" }`,
 *    `{ "$files": [...] }`, or the whole `STS_CONFIG` as `{ "$file": "sts-config.json" }`
 *    (`sts config split --files` writes them; scripts/build-config-files.mjs bundles them).
 * 2. Put every secret it references in its own binding, named by the `...Secret` fields:
 *    `wrangler secret put STS_RSA_KEY < rsa-key.pk8.pem` (PKCS#8 private keys),
 *    `npm run sts -- config hash-password | wrangler secret put ALICE_PW` (user password
 *    hashes), `npm run sts -- config generate-secret` then `wrangler secret put CLIENT_X_HASH`
 *    with the printed hash (client / service-account secrets). Certificates can be inline or
 *    in their own binding (`certificateSecret`) when they would not fit in `STS_CONFIG`.
 * 3. Check it before deploying: `npm run sts -- config check-config sts-config.json --env
 *    secrets.json`.
 *
 * A deployed worker without `STS_CONFIG` refuses to issue (fail closed) and never falls back
 * to the development keys; an invalid `STS_CONFIG` makes every request fail with 503 and logs
 * each problem with its field path.
 */
import type { ResolvedConfig } from "./types.ts";
import { ConfigError, validateConfig } from "./validate.ts";
import { DEV_CONFIG, DEV_SECRETS, publishedBindings } from "./dev.ts";
import { jsonFailure } from "./check.ts";
import { BUNDLED_FILES } from "./bundled-files.generated.ts";

/**
 * No configuration was provided and development mode is off. Its `mode` discriminates it from
 * `ResolvedConfig`, so callers must handle it before reading any configuration field.
 */
export interface ConfigUnavailable {
  mode: "unconfigured";
  /** Operator-facing explanation (safe to log; say less to clients). */
  reason: string;
}

/** Result of `loadConfig`: narrow on `mode` before use. */
export type LoadedConfig = ResolvedConfig | ConfigUnavailable;

const UNCONFIGURED: ConfigUnavailable = Object.freeze({
  mode: "unconfigured",
  reason:
    "STS_CONFIG is not set, so this worker refuses every request (503) until it is. Check the configuration " +
    "(npm run sts -- config check-config sts-config.json --env secrets.json), set it " +
    "(npx wrangler secret put STS_CONFIG < sts-config.json) and its secrets, and deploy again; see README, Configuration. " +
    "(The embedded development configuration is used only with STS_DEV_MODE=1, for local runs.)",
});

interface Memo {
  source: string;
  /** The bindings validation read, with the values it saw (to detect a different env). */
  reads: Map<string, unknown>;
  result: ResolvedConfig | ConfigError;
}

const byEnv = new WeakMap<object, LoadedConfig | ConfigError>();
const published = new WeakMap<ResolvedConfig, readonly string[]>();
let memo: Memo | undefined;
let devConfig: ResolvedConfig | undefined;

/**
 * Resolves the configuration for this isolate, memoised on the env object and on the
 * `STS_CONFIG` text (plus the secret values it referenced), so validation runs once.
 *
 * - `STS_CONFIG` present → validated against `env` as the secret source (mode `production`).
 * - absent and `STS_DEV_MODE` is `"1"`/`"true"` → the embedded development configuration.
 * - absent otherwise → `ConfigUnavailable` (fail closed).
 *
 * @throws ConfigError when `STS_CONFIG` is present but not valid JSON or not a valid configuration
 */
export function loadConfig(env: Record<string, unknown>): LoadedConfig {
  const cached = byEnv.get(env);
  if (cached !== undefined) return unwrap(cached);
  const result = resolve(env);
  byEnv.set(env, result);
  return unwrap(result);
}

function unwrap(r: LoadedConfig | ConfigError): LoadedConfig {
  if (r instanceof ConfigError) throw r;
  return r;
}

function resolve(env: Record<string, unknown>): LoadedConfig | ConfigError {
  const raw = env.STS_CONFIG;
  if (raw === undefined || raw === null) {
    const dev = env.STS_DEV_MODE;
    if (dev === "1" || dev === "true" || dev === true) {
      devConfig ??= validateConfig(DEV_CONFIG, DEV_SECRETS, { mode: "development" });
      return devConfig;
    }
    return UNCONFIGURED;
  }
  const source = typeof raw === "string" ? raw : JSON.stringify(raw);
  if (memo && memo.source === source && [...memo.reads].every(([k, v]) => env[k] === v)) return memo.result;
  const reads = new Map<string, unknown>();
  const tracked = new Proxy(env, {
    get(target, key, receiver) {
      const v: unknown = Reflect.get(target, key, receiver);
      if (typeof key === "string") reads.set(key, v);
      return v;
    },
  });
  let result: ResolvedConfig | ConfigError;
  try {
    // The bundled files are constants of the script: the memo needs no key for them.
    result = validateConfig(parse(raw), tracked, { files: BUNDLED_FILES });
    published.set(result, publishedBindings(reads));
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    result = e;
  }
  memo = { source, reads, result };
  return result;
}

function parse(raw: unknown): unknown {
  if (typeof raw !== "string") return raw;
  if (raw.trim() === "") throw new ConfigError(["STS_CONFIG: is empty (unset it, or provide the configuration JSON)"]);
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw new ConfigError([`STS_CONFIG: ${jsonFailure(raw)}`]);
  }
}

/**
 * The bindings of this production configuration that hold a secret published in the repository
 * (src/config/dev.ts): none for a configuration of one's own, or the development one.
 */
export function publishedSecretsOf(config: ResolvedConfig): readonly string[] {
  return published.get(config) ?? [];
}

/** Forgets memoised results (tests only). */
export function resetConfigCache(): void {
  memo = undefined;
  devConfig = undefined;
}
