/**
 * Structured log lines (one JSON object per line) that an operator can act on. Never log
 * tokens, passwords or secrets: callers pass only identifiers and hashes.
 */
export function logEvent(fields: Record<string, unknown>): void {
  // The timestamp first, without copying `fields` into a new object.
  const rest = jsonText(fields);
  console.log(`{"ts":"${new Date().toISOString()}"${rest.length > 2 ? "," : ""}${rest.slice(1)}`);
}

/** Logs an unexpected error with its stack for the operator (never sent to the client). */
export function logError(method: string, path: string, err: unknown): void {
  const e = err instanceof Error ? err : new Error(String(err));
  console.error(jsonText({ ts: new Date().toISOString(), level: "error", event: "unhandled_error", method, path, error: e.message, stack: e.stack }));
}

/**
 * Characters JSON.stringify leaves raw that a log reader may act on rather than show: the
 * Unicode line terminators U+0085, U+2028 and U+2029 (Python's str.splitlines, JavaScript's
 * `^`/`$` with the m flag and many log viewers end a line there, so a name holding
 * `\u2028{"event":"audit",…}\u2028` would read as a forged line of its own), the other C1
 * controls (U+009B is an 8-bit CSI, an escape sequence to a terminal that takes them) and the
 * bidirectional formatting characters (which make a viewer show a line's text in another order
 * than it has: Unicode TR #9, the "Trojan Source" display).
 */
const UNSAFE_IN_LOG = /[\u0080-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** JSON text of `value` with UNSAFE_IN_LOG written as \u escapes: the same JSON value, one visible line. */
function jsonText(value: unknown): string {
  const json = JSON.stringify(value);
  return json.replace(UNSAFE_IN_LOG, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
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
