/**
 * For tests that hold a fake state's or directory's answers to prove the order of calls: work
 * is let run by turns of the event loop, never by waiting for a time.
 */
import { StsError } from "../../src/errors.ts";

/** Lets queued work run until `until` holds, for at most 100 turns of the event loop. */
export async function settle(until: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !until(); i++) await new Promise((r) => setTimeout(r, 0));
}

/** "accepted", or the refusal as "code: message" (anything else as its text). */
export function outcome(p: Promise<unknown>): Promise<string> {
  return p.then(
    () => "accepted",
    (e: unknown) => (e instanceof StsError ? `${e.code}: ${e.message}` : String(e)),
  );
}
