/**
 * Checks that may run together but whose refusals have an order: which one a requestor is told
 * must not depend on which state object or directory answered first.
 */

/**
 * Awaits work already started, in the order listed: every value, or the refusal of the first
 * listed that refuses. A later one's refusal waits for every one before it to succeed, so it
 * never overtakes an earlier one's, and is handled (not reported as unhandled) when an earlier
 * one refuses first.
 */
export async function inOrder<T extends readonly unknown[] | []>(work: T): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  for (const p of work) Promise.resolve(p).catch(() => undefined);
  const values: unknown[] = [];
  for (const p of work) values.push(await p);
  return values as { -readonly [K in keyof T]: Awaited<T[K]> };
}
