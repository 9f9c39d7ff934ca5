import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// The user directory's schema, applied to the tests' local D1 before each test file runs.
const migrations = await readD1Migrations("./src/state/migrations");

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: "./wrangler.toml" },
      miniflare: {
        bindings: { STS_DEV_MODE: "1", TEST_MIGRATIONS: migrations },
      },
    }),
  ],
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["./test/apply-migrations.ts"],
    testTimeout: 30_000,
    // Audit lines are the worker's real output; show them only for tests that fail.
    silent: "passed-only",
  },
});
