import type { ResolvedConfig } from "../config/types.ts";
import type { Env } from "./env.ts";
import { type StateClient, createStateClient } from "../state/client.ts";

/** Per bindings, the client of each realm's configuration. */
const clients = new WeakMap<object, WeakMap<ResolvedConfig, StateClient>>();

/**
 * The state client for these bindings and this configuration, built once per isolate (not per
 * request: it is stateless apart from the isolate's revoked-answer cache, and building its
 * closures on every request showed up in profiles).
 */
export function stateFor(env: Env, config: ResolvedConfig): StateClient {
  let byConfig = clients.get(env);
  if (byConfig === undefined) clients.set(env, (byConfig = new WeakMap()));
  let client = byConfig.get(config);
  if (client === undefined) {
    client = createStateClient(env, {
      maxTokenLifetimeMs: maxLifetimeMs(config),
      leaseMs: config.limits.statusLeaseMilliseconds,
      realm: config.realm,
    });
    byConfig.set(config, client);
  }
  return client;
}

/** The longest a token of this configuration can live, renewals included. */
export function maxLifetimeMs(config: { relyingParties: { maxTokenLifetimeSeconds: number; renewal: { maxTotalLifetimeSeconds: number } }[] }): number {
  let max = 0;
  for (const rp of config.relyingParties) max = Math.max(max, rp.maxTokenLifetimeSeconds, rp.renewal.maxTotalLifetimeSeconds);
  return max * 1000;
}
