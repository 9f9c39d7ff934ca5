// A server or command a self-test runs as a child process: what it writes to stdout and stderr
// gathered in one string (the tests assert on what a person would read), waiting for a line, and
// a stop that waits for the exit (the next test may claim the same port or --state-dir).
import { spawn } from "node:child_process";

/**
 * Spawns `command` with `args` (spawn's `options`, stdout and stderr piped). `out()` is all it
 * wrote so far; `exited` resolves to its exit code.
 */
export function startChild(command, args, options = {}) {
  const child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  const listeners = new Set();
  const seen = (d) => {
    out += d;
    for (const l of listeners) l();
  };
  child.stdout.on("data", seen);
  child.stderr.on("data", seen);
  const exited = new Promise((res) => child.on("exit", res));
  return {
    child,
    exited,
    out: () => out,
    /**
     * Resolves to true once the output matches `pattern`, to false if the child exits first;
     * rejects after `ms` with all it wrote.
     */
    until(pattern, ms) {
      return new Promise((res, rej) => {
        const done = (v) => {
          clearTimeout(timer);
          listeners.delete(check);
          res(v);
        };
        const check = () => pattern.test(out) && done(true);
        const timer = setTimeout(() => {
          listeners.delete(check);
          rej(new Error(`nothing matching ${pattern} within ${ms} ms:\n${out}`));
        }, ms);
        listeners.add(check);
        check();
        exited.then(() => done(pattern.test(out)));
      });
    },
    /** SIGTERM if it still runs, and its exit waited for. */
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}
