import type { ResolvedConfig } from "../config/types.ts";
import type { Env } from "./env.ts";
import { type StateClient, createStateClient } from "../state/client.ts";

const clients = new WeakMap<object, { config: ResolvedConfig; client: StateClient }>();

/**
 * The state client for these bindings and this configuration, built once per isolate (not per
 * request: it is stateless apart from the isolate's revoked-answer cache, and building its
 * closures on every request showed up in profiles).
 */
export function stateFor(env: Env, config: ResolvedConfig): StateClient {
  const hit = clients.get(env);
  if (hit && hit.config === config) return hit.client;
  const client = createStateClient(env, {
    maxTokenLifetimeMs: maxLifetimeMs(config),
    leaseMs: config.limits.statusLeaseMilliseconds,
  });
  clients.set(env, { config, client });
  return client;
}

/** The longest a token of this configuration can live, renewals included. */
export function maxLifetimeMs(config: { relyingParties: { maxTokenLifetimeSeconds: number; renewal: { maxTotalLifetimeSeconds: number } }[] }): number {
  let max = 0;
  for (const rp of config.relyingParties) max = Math.max(max, rp.maxTokenLifetimeSeconds, rp.renewal.maxTotalLifetimeSeconds);
  return max * 1000;
}
