/**
 * Structured log lines (one JSON object per line) that an operator can act on. Never log
 * tokens, passwords or secrets: callers pass only identifiers and hashes.
 */
export function logEvent(fields: Record<string, unknown>): void {
  // The timestamp first, without copying `fields` into a new object.
  const rest = JSON.stringify(fields);
  console.log(`{"ts":"${new Date().toISOString()}"${rest.length > 2 ? "," : ""}${rest.slice(1)}`);
}

/** Logs an unexpected error with its stack for the operator (never sent to the client). */
export function logError(method: string, path: string, err: unknown): void {
  const e = err instanceof Error ? err : new Error(String(err));
  console.error(
    JSON.stringify({ ts: new Date().toISOString(), level: "error", event: "unhandled_error", method, path, error: e.message, stack: e.stack }),
  );
}

/** The fields of one log line, without its timestamp (see {@link logEvent}). */
export type LogFields = Record<string, unknown>;

export interface RepeatedFailureOptions {
  /** Shortest time between two lines about one failure that goes on, ms. Default 60 s. */
  intervalMs?: number;
  /** Clock, epoch ms. Default `Date.now`. */
  now?: () => number;
  /** Where lines go. Default {@link logEvent}. */
  log?: (fields: LogFields) => void;
}

/** How many failures of one kind are followed at once; past it all are forgotten (a bound, not a policy). */
const MAX_FOLLOWED = 64;

/**
 * Logging for a failure that every request meets while it lasts (a database or an endpoint
 * down): a line per request would be thousands a second of the same line, drowning the rest of
 * the log. Per isolate and key: the first failure is logged at once; while failures go on, at
 * most one line per interval, carrying `suppressed` (how many were not logged since the line
 * before); and the first success after failures logs one line saying how many there were.
 */
export class RepeatedFailureLog {
  readonly #intervalMs: number;
  readonly #now: () => number;
  readonly #log: (fields: LogFields) => void;
  /** key → the running failure: when its last line was logged, failures since, failures in all. */
  readonly #failing = new Map<string, { loggedAt: number; suppressed: number; failures: number }>();

  constructor(opts: RepeatedFailureOptions = {}) {
    this.#intervalMs = opts.intervalMs ?? 60_000;
    this.#now = opts.now ?? Date.now;
    this.#log = opts.log ?? logEvent;
  }

  /** One failure under `key`; `line` builds its log line, called only when one is logged. */
  failed(key: string, line: () => LogFields): void {
    const now = this.#now();
    const f = this.#failing.get(key);
    if (f === undefined) {
      if (this.#failing.size >= MAX_FOLLOWED) this.#failing.clear();
      this.#failing.set(key, { loggedAt: now, suppressed: 0, failures: 1 });
      this.#log(line());
      return;
    }
    f.failures += 1;
    if (now - f.loggedAt < this.#intervalMs) {
      f.suppressed += 1;
      return;
    }
    this.#log({ ...line(), suppressed: f.suppressed });
    f.loggedAt = now;
    f.suppressed = 0;
  }

  /**
   * A success under `key`: when failures came before it, `line` builds the line that says the
   * failure is over, given how many failures there were since the first was logged.
   */
  succeeded(key: string, line: (failures: number) => LogFields): void {
    const f = this.#failing.get(key);
    if (f === undefined) return;
    this.#failing.delete(key);
    this.#log(line(f.failures));
  }
}
