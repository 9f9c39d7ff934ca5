/**
 * What an operator should hear about a valid production configuration that is still risky: told
 * by `check-config` before a deployment and logged once per isolate by the worker, in the same
 * words. Advice, not errors: the configuration serves.
 */
import type { ResolvedConfig } from "./types.ts";

export interface Advice {
  /** The log line's event name. */
  event: "dev_mode_ignored" | "issuer_unset";
  message: string;
}

/** Whether a binding's value turns development mode on (as the loader reads it). */
function devModeOn(v: unknown): boolean {
  return v === "1" || v === "true" || v === true;
}

/**
 * Advice on `config` (the top-level configuration, realms included) as served with the
 * bindings `env`.
 */
export function configAdvice(config: ResolvedConfig, env: Record<string, unknown>): Advice[] {
  if (config.mode !== "production") return [];
  const out: Advice[] = [];
  if (devModeOn(env.STS_DEV_MODE)) {
    out.push({
      event: "dev_mode_ignored",
      message:
        "STS_DEV_MODE is set beside STS_CONFIG. It has no effect while STS_CONFIG is set, but a deployment that loses STS_CONFIG " +
        "(a variable renamed or deleted) would then serve the embedded development configuration and its published keys instead of " +
        "refusing to start. Remove STS_DEV_MODE from this deployment's variables.",
    });
  }
  if (config.issuer === undefined) {
    out.push({
      event: "issuer_unset",
      message:
        `${config.root}.issuer is not set: each token names as its issuer the origin its request came to, so the issuer changes with ` +
        "the host name a client uses (workers.dev, a custom domain, a realm's host) and relying parties that pin it refuse the others. " +
        "Set it to this STS's public https:// URL.",
    });
  }
  return out;
}
