import { applyD1Migrations, env } from "cloudflare:test";

// Every test file starts with the user directory's schema (already applied ones are skipped).
await applyD1Migrations(env.USERS_DB, env.TEST_MIGRATIONS);
