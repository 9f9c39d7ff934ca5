declare module "*?raw" {
  const content: string;
  export default content;
}

/** The worker's bindings, as `env` from "cloudflare:test" sees them (wrangler.toml + vitest config). */
declare namespace Cloudflare {
  interface Env {
    TOKEN_STATE: DurableObjectNamespace<import("../src/state/token-state.ts").TokenStateObject>;
    REPLAY_CACHE: DurableObjectNamespace<import("../src/state/replay-cache.ts").ReplayCacheObject>;
    STS_DEV_MODE: string;
    USERS_DB: D1Database;
    TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
  }
}

/** Vite's import.meta.glob (used by tests to load every shipped vector). */
interface ImportMeta {
  glob(pattern: string, options?: { query?: string; import?: string; eager?: boolean }): Record<string, unknown>;
}
