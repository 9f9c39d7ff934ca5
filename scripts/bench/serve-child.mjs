// Starts `scripts/serve.mjs` for a measurement with its output (one audit line per request)
// going straight to a file. Not through a pipe: a process reading the worker's log over a pipe
// at thousands of lines/s took about a quarter of a 2-core machine's throughput (measured:
// plain workerd logging one line per request did 6,500-6,900 req/s into a pipe read by `cat`,
// 7,800-8,500 into /dev/null, 8,000-9,500 without the line), which a deployed worker never pays.
import { spawn, spawnSync } from "node:child_process";
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

/** The workerd process serve started (serve's first child). */
export function workerdPid(serve) {
  return Number(readFileSync(`/proc/${serve.pid}/task/${serve.pid}/children`, "utf8").trim().split(/\s+/)[0]);
}

const CLK_TCK = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim()) || 100;

/** CPU time (user + system, every thread) a process has used so far, seconds (/proc/PID/stat fields 14-15). */
export function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(f[11]) + Number(f[12])) / CLK_TCK;
}
