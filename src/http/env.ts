import type { StateBindings } from "../state/client.ts";

/**
 * The Worker's bindings. Configuration arrives as `STS_CONFIG` (JSON); the secrets it names
 * (private keys, password and secret hashes) are further bindings looked up by name.
 */
export interface Env extends StateBindings {
  /** The configuration document (JSON string, or an object when set as a JSON var). */
  STS_CONFIG?: string | object;
  /** "1" only for local runs (npm start, npm run serve, tests): enables the embedded dev config. */
  STS_DEV_MODE?: string;
  /** The user directory (D1, schema in src/state/migrations/); without it only configured users exist. */
  USERS_DB?: D1Database;
  [binding: string]: unknown;
}
