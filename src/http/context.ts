import type { ResolvedConfig } from "../config/types.ts";
import { loadConfig } from "../config/load.ts";
import { ConfigError } from "../config/errors.ts";
import { logEvent } from "../web/log.ts";
import { StsError } from "../errors.ts";
import type { StsContext } from "../engine/types.ts";
import type { Env } from "./env.ts";
import { KeyRing } from "../keys/keyring.ts";

/** Keys are imported once per isolate and per configuration: importing a key costs more than signing with it. */
let ringFor: { config: ResolvedConfig; ring: Promise<KeyRing> } | undefined;

/**
 * Builds the request context: the validated configuration (memoised by `loadConfig`), the key
 * ring (imported once), the issuer and the request origin. A worker without configuration
 * fails closed with `not_configured`; it never falls back to development keys.
 */
export async function getContext(env: Env, requestUrl: string): Promise<StsContext> {
  let config;
  try {
    config = loadConfig(env);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    // The operator sees every problem with its field path; the client only that we are down.
    logEvent({ level: "error", event: "config_invalid", problems: e.message.split("\n") });
    throw new StsError("not_configured", "This STS is misconfigured and refuses to issue tokens; see the worker log.");
  }
  if (config.mode === "unconfigured") {
    throw new StsError(
      "not_configured",
      "This STS is not configured and refuses to issue tokens. The operator must set STS_CONFIG.",
    );
  }
  if (!ringFor || ringFor.config !== config) {
    if (config.mode === "development") {
      // Once per isolate, so an operator who sees it in production knows what is wrong.
      logEvent({ level: "warn", event: "development_config", message: "Serving with the embedded DEVELOPMENT configuration and its published keys (STS_DEV_MODE). Never in production: set STS_CONFIG." });
    }
    const ring = KeyRing.load(config.keys.map((k) => ({ kid: k.kid, status: k.status, privateKeyPem: k.privateKeyPem, certificatePem: k.certificatePem })));
    ringFor = { config, ring };
    ring.catch(() => {
      if (ringFor?.ring === ring) ringFor = undefined;
    });
  }
  const keys = await ringFor.ring;
  const origin = originOf(requestUrl);
  return { config, keys, issuer: config.issuer ?? origin, origin, now: () => new Date(), audit: {} };
}

/**
 * The origin of a request URL. The runtime hands `request.url` already serialized (WHATWG URL),
 * so a URL that starts with the last origin seen plus "/" has that origin; only a new origin is
 * parsed (a full URL parse per request showed in profiles).
 */
let lastOrigin = "";
function originOf(url: string): string {
  if (lastOrigin !== "" && url.startsWith(lastOrigin) && url.charCodeAt(lastOrigin.length) === 0x2f) return lastOrigin;
  return (lastOrigin = new URL(url).origin);
}
