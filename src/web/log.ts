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
