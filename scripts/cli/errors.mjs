// What went wrong in a CLI command, as one line a user can act on.
import { NoTimelyAnswer } from "./http.mjs";

/**
 * A file that cannot be read or written names the file; an STS that does not answer says so
 * (Node's fetch reports only "fetch failed", its reason in `cause`); anything else is its
 * message. Stack traces only with STS_DEBUG set.
 */
export function explain(e) {
  if (process.env.STS_DEBUG && e instanceof Error && e.stack) return e.stack;
  if (e && typeof e === "object") {
    // Node's "ENOENT: no such file or directory, open '/x'": the file first, then why (read or write alike).
    if (typeof e.code === "string" && typeof e.path === "string") return `${e.path}: ${String(e.message).split(",")[0]}`;
    if (e.code === "ERR_INVALID_URL") return `not a URL: ${e.input}`;
    if (e instanceof NoTimelyAnswer) return e.message;
    const why = noAnswer(e);
    if (why !== undefined) {
      return `cannot reach the STS${typeof e.url === "string" ? ` at ${e.url}` : ""} (${why}): is it running at that address?`;
    }
    if (e instanceof Error) return e.message;
  }
  return String(e);
}

/**
 * Why a request got no answer ("ECONNREFUSED", "other side closed", "no answer within 30 s"),
 * when `e` is Node's fetch failing so or the wait running out; undefined for any other error.
 */
export function noAnswer(e) {
  if (e instanceof NoTimelyAnswer) return `no answer within ${e.seconds} s`;
  if (!(e instanceof TypeError && e.message === "fetch failed")) return undefined;
  return e.cause?.code ?? e.cause?.message ?? "no answer";
}
