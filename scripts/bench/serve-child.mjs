// Starts `scripts/serve.mjs` for a measurement with its output (one audit line per request)
// going straight to a file. Not through a pipe: a process reading the worker's log over a pipe
// at thousands of lines/s took about a quarter of a 2-core machine's throughput (measured:
// plain workerd logging one line per request did 6,500-6,900 req/s into a pipe read by `cat`,
// 7,800-8,500 into /dev/null, 8,000-9,500 without the line), which a deployed worker never pays.
import { spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";

/**
 * Spawns serve with `args`, stdout and stderr appended to `logFile`; resolves once it printed
 * "ready on", rejects (with the log's tail) if it exits first or takes longer than `timeoutMs`.
 */
export async function startServeChild(node, args, { cwd, logFile, timeoutMs = 120_000 }) {
  const fd = openSync(logFile, "a");
  const child = spawn(node, args, { cwd, stdio: ["ignore", fd, fd] });
  closeSync(fd);
  const tail = () => readFileSync(logFile, "utf8").slice(-2000);
  const deadline = Date.now() + timeoutMs;
  while (!readFileSync(logFile, "utf8").includes("ready on")) {
    if (child.exitCode !== null) throw new Error(`serve exited (${child.exitCode}) before it was ready:\n${tail()}`);
    if (Date.now() > deadline) {
      child.kill("SIGTERM");
      throw new Error(`serve was not ready within ${timeoutMs / 1000} s:\n${tail()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return child;
}
