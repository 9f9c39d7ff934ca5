// Runs `scripts/sts.mjs` for a self-test without blocking the event loop (a stub server the test
// runs answers in the same process), with the CLI's environment variables cleared first.
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

/** @returns {Promise<{ status: number|null, stdout: string, stderr: string }>} */
export function runSts(args, env = {}) {
  return new Promise((resolve) => {
    const clean = { ...process.env };
    for (const k of ["STS_ADMIN", "STS_ADMIN_SECRET", "STS_URL", "npm_lifecycle_event", "INIT_CWD"]) delete clean[k];
    const child = spawn(process.execPath, [join(ROOT, "scripts", "sts.mjs"), ...args], { cwd: ROOT, env: { ...clean, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}
