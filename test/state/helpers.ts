import { env } from "cloudflare:test";
import type { StateBindings } from "../../src/state/client.ts";
import { base64url, replayShardName, sha256, subjectShardName, type SubjectKey } from "../../src/state/hash.ts";

/** The wrangler.toml bindings, typed (Cloudflare.Env is not augmented project-wide). */
export const bindings = env as unknown as StateBindings;

let counter = 0;
/** A subject no other test touches, so every test starts from an empty shard. */
export function freshSubject(label: string): SubjectKey {
  counter += 1;
  return { subject: `${label}-${counter}-${crypto.randomUUID()}` };
}

/** The token-state stub for a subject, addressed exactly as the client addresses it. */
export async function tokenStateStub(subject: SubjectKey) {
  return bindings.TOKEN_STATE.getByName(await subjectShardName(subject));
}

export const HOUR = 60 * 60 * 1000;

/**
 * A one-time value spent by a release before replay-key escaping (src/state/state-key.ts): its
 * key as the one string that release joined, hashed and on its shard as the state client of the
 * first realm puts it.
 */
export async function rememberedByEarlierRelease(key: string, expiresAt: number): Promise<void> {
  const bytes = await sha256(key);
  await bindings.REPLAY_CACHE.getByName(replayShardName(bytes)).remember({ key: base64url(bytes), expiresAt, now: Date.now() });
}
