import { StsError } from "../errors.ts";
import { logError } from "../web/log.ts";

/**
 * A failure as the StsError its client is told. Anything else is a bug or an unreachable
 * dependency (a Durable Object call that failed): its detail goes to the log with `where`, and
 * the client reads `internal_error` with no internals.
 */
export function asStsError(caught: unknown, where: string): StsError {
  if (caught instanceof StsError) return caught;
  logError("POST", where, caught);
  return new StsError("internal_error", "The STS could not process the request.");
}
