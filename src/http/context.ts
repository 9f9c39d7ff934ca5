import type { ResolvedConfig } from "../config/types.ts";
import { loadConfig, publishedSecretsOf } from "../config/load.ts";
import { ConfigError } from "../config/errors.ts";
import { everyRealm, loadKeyRings } from "../config/key-rings.ts";
import { directoryPrincipals } from "../config/validate-certificates.ts";
import { configAdvice } from "../config/advice.ts";
import { logEvent } from "../web/log.ts";
import { StsError } from "../errors.ts";
import type { StsContext } from "../engine/types.ts";
import type { Env } from "./env.ts";
import type { KeyRing } from "../keys/keyring.ts";
import { expiryNotices } from "../keys/expiry.ts";
import { datedCertificates } from "../config/dated-certificates.ts";
import { selectRealm } from "./realm.ts";
import { recordConfiguredDisables } from "./configured-disables.ts";
import { UserDirectory } from "../state/directory.ts";
import { directoryReachable, directoryUnavailable } from "../engine/directory-outage.ts";
import { configuredNames, nameConflict } from "../engine/users.ts";
import { DEV_DIRECTORY_USERS, PUBLISHED_PASSWORD_HASHES, publishedMessage } from "../config/dev.ts";

/**
 * Every realm's key rings, by the top-level configuration, loaded once per isolate and
 * configuration: importing a key costs more than signing with it.
 */
const starts = new WeakMap<ResolvedConfig, Promise<Map<ResolvedConfig, KeyRing>>>();

/**
 * Builds the request context: the validated configuration of the request's realm (memoised by
 * `loadConfig`; realm.ts selects it by host or path prefix), its key ring (every realm's are
 * imported and checked once, before the first request is served), the issuer and the request
 * origin (with the realm's path prefix when it came through one). A worker without
 * configuration fails closed with `not_configured`; it never falls back to development keys.
 */
export async function getContext(env: Env, requestUrl: string): Promise<StsContext> {
  const begun = new Date();
  let config: ResolvedConfig;
  let rings: Map<ResolvedConfig, KeyRing>;
  try {
    const loaded = loadConfig(env);
    if (loaded.mode === "unconfigured") throw unconfigured(loaded.reason);
    config = loaded;
    rings = await start(config, env);
    await recordConfiguredDisables(env, config);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    // The operator sees every problem with its field path; the client only that we are down.
    logEvent({ level: "error", event: "config_invalid", problems: e.message.split("\n") });
    throw new StsError("not_configured", "This STS is misconfigured and refuses to issue tokens; see the worker log.");
  }
  const origin = originOf(requestUrl);
  const realm = selectRealm(config, requestUrl, origin);
  const keys = rings.get(realm.config)!;
  const audit = realm.config.realm === undefined ? {} : { realm: realm.config.realm };
  const directory = env.USERS_DB === undefined ? undefined : (ready.get(realm.config) ?? (await checkedDirectory(env.USERS_DB, realm.config)));
  return { config: realm.config, keys, issuer: realm.config.issuer ?? realm.base, origin: realm.base, now: () => new Date(), begun, audit, directory };
}

let unconfiguredLogged = false;

/**
 * The refusal of a worker without configuration. Its reason goes to the log once per isolate:
 * a deployed worker that was never given STS_CONFIG says what to do, without a line per request.
 */
function unconfigured(reason: string): StsError {
  if (!unconfiguredLogged) {
    unconfiguredLogged = true;
    logEvent({ level: "error", event: "not_configured", message: reason });
  }
  return new StsError("not_configured", "This STS is not configured and refuses to issue tokens. The operator must set STS_CONFIG.");
}

/** Each realm's directory once it has passed its start-up check (read without awaiting). */
const ready = new WeakMap<ResolvedConfig, UserDirectory>();
const starting = new WeakMap<ResolvedConfig, Promise<UserDirectory>>();

/**
 * The realm's user directory, after its start-up check: a directory user whose name is, or looks
 * the same as, a configured user's, service account's or OAuth client's is logged
 * (`directory_name_conflict`, naming both and the field), and signs in nowhere (engine/users.ts
 * `findUser` holds it disabled: a client is named by its id where it acts, and would be taken for
 * the user) while everyone else is served; and a development configuration seeds its directory users once (a
 * production one says so when it finds one of them still holding its published password). A database that cannot be reached
 * does not stop what needs no user (token exchange, validation): the failure is logged, the
 * directory is handed out unchecked (its own lookups then fail), and the next request checks
 * again.
 */
function checkedDirectory(db: D1Database, config: ResolvedConfig): Promise<UserDirectory> {
  let p = starting.get(config);
  if (p === undefined) {
    p = (async () => {
      const directory = new UserDirectory(db, config.realm ?? "");
      const mapped = directoryPrincipals(config);
      let both: { name: string; stored: string }[];
      let held: { name: string; stored: string }[];
      try {
        both = await directory.holds(configuredNames(config));
        held = mapped.length === 0 ? [] : await directory.holds(mapped.map((m) => m.name));
        if (config.mode === "development" && config.realm === undefined) {
          await directory.seedOnce("development-users-seeded", DEV_DIRECTORY_USERS, Date.now());
        } else if (config.realm === undefined) {
          // A directory a development run seeded (the same local state directory) keeps its
          // users; engine/users.ts holds them disabled, and the operator is told why.
          for (const seeded of DEV_DIRECTORY_USERS) {
            const u = await directory.get(seeded.username);
            if (u === undefined || !PUBLISHED_PASSWORD_HASHES.has(u.passwordHash)) continue;
            logEvent({ level: "warn", event: "development_user", message: `The user directory (USERS_DB) holds the development user ${JSON.stringify(u.username)} with its published password (a development run used this database): it signs in nowhere under this configuration. Delete it (DELETE /admin/users/${encodeURIComponent(u.username)}) or set a password of its own` });
          }
        }
      } catch (e) {
        starting.delete(config);
        directoryUnavailable("The user directory (USERS_DB) could not be checked", e);
        return directory;
      }
      directoryReachable();
      // Said at start as well as at each use (engine/users.ts findUser holds such a user disabled).
      if (both.length > 0) logEvent({ level: "error", event: "directory_name_conflict", problems: both.map(({ name, stored }) => nameConflict(config, name, stored)) });
      // Advice, not an error: an administrator may create the user later.
      for (const { field, name } of mapped) {
        const like = held.find((h) => h.name === name)?.stored;
        if (like === name) continue;
        const seen = like === undefined ? "" : ` (it holds ${JSON.stringify(like)}: a principal names its user exactly)`;
        logEvent({ level: "warn", event: "certificate_principal_unknown", message: `${field}: ${JSON.stringify(name)} is no configured user or service account, and the user directory (USERS_DB) holds no such user${seen}: the certificates mapped to it authenticate nobody until it does` });
      }
      ready.set(config, directory);
      return directory;
    })();
    starting.set(config, p);
  }
  return p;
}

/**
 * What the isolate does once per configuration, before it serves the first request, whichever
 * realm that request is for: it loads the keys of every realm, and logs what the operator should
 * know (development keys, certificates near their end, certificate principals no directory can
 * resolve). A private key that does not match its certificate, in any realm, is a configuration
 * error like any other (logged as config_invalid with the field, answered not_configured
 * everywhere, /healthz included), as check-config finds it. Such a failure is kept with the
 * configuration (the same keys fail the same way); any other is tried again.
 */
function start(top: ResolvedConfig, env: Env): Promise<Map<ResolvedConfig, KeyRing>> {
  const directoryBound = env.USERS_DB !== undefined;
  let loading = starts.get(top);
  if (loading === undefined) {
    if (top.mode === "development") {
      // Once per isolate, so an operator who sees it in production knows what is wrong.
      logEvent({ level: "warn", event: "development_config", message: "Serving with the embedded DEVELOPMENT configuration and its published keys (STS_DEV_MODE). Never in production: set STS_CONFIG." });
    }
    for (const a of configAdvice(top, env as unknown as Record<string, unknown>)) logEvent({ level: "warn", event: a.event, message: a.message });
    const published = publishedSecretsOf(top);
    if (published.length > 0) logEvent({ level: "error", event: "published_secret", message: publishedMessage(published) });
    // With a directory, its start-up check says which of these it does not hold (checkedDirectory).
    for (const { field, name } of directoryBound ? [] : everyRealm(top).flatMap(directoryPrincipals)) {
      logEvent({ level: "warn", event: "certificate_principal_unknown", message: `${field}: ${JSON.stringify(name)} is no configured user or service account, and no user directory (USERS_DB) is bound: the certificates mapped to it authenticate nobody` });
    }
    const p = loadKeyRings(top);
    starts.set(top, (loading = p));
    // Advice only: a failure here (the keys' own is the request's) must not become a rejection.
    void p
      .then((rings) => {
        for (const [config, ring] of rings) {
          for (const n of expiryNotices(datedCertificates(config, ring.all()), new Date())) logEvent({ ...n, ...(config.realm === undefined ? {} : { realm: config.realm }) });
        }
      })
      .catch(() => undefined);
    p.catch((e: unknown) => {
      if (!(e instanceof ConfigError) && starts.get(top) === p) starts.delete(top);
    });
  }
  return loading;
}

/**
 * The origin of a request URL. A URL that starts with the last origin seen (a parsed one: lower
 * case, no default port) plus "/" has that origin, its authority ending at that "/"; only
 * another is parsed (a full URL parse per request showed in profiles). The runtime writes the
 * Host header into `request.url` as sent, so a Host in another case or with its default port
 * is parsed each time, and comes to the same origin.
 */
let lastOrigin = "";
function originOf(url: string): string {
  if (lastOrigin !== "" && url.startsWith(lastOrigin) && url.charCodeAt(lastOrigin.length) === 0x2f) return lastOrigin;
  return (lastOrigin = new URL(url).origin);
}
