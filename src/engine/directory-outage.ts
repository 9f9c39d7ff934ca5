/**
 * The operator's lines about the user directory (D1 binding `USERS_DB`) being unreachable. While
 * it is down every request that needs it meets the failure: the first is logged at once, then at
 * most one line a minute per isolate saying how many were not logged, and one line when it
 * answers again (see docs/audit.md).
 */
import { directoryFailure } from "../state/directory.ts";
import { RepeatedFailureLog } from "../web/log.ts";

/** One directory per isolate (every realm's rows are in the same database): one key. */
const KEY = "USERS_DB";

const outages = new RepeatedFailureLog();

/**
 * The directory could not be read or checked; `consequence` says what that means for this
 * request (it starts the message), `e` is the database's error.
 */
export function directoryUnavailable(consequence: string, e: unknown): void {
  outages.failed(KEY, () => ({
    level: "error",
    event: "directory_unavailable",
    message: `${consequence}: ${directoryFailure(e)}`,
  }));
}

/** The directory answered: after failures, says so once. Costs nothing otherwise. */
export function directoryReachable(): void {
  outages.succeeded(KEY, (failures) => ({
    level: "info",
    event: "directory_reachable",
    message: `The user directory (USERS_DB) is reachable again after ${failures} failure${failures === 1 ? "" : "s"}`,
    failures,
  }));
}
