/**
 * Per-isolate memory of tokens whose exact text already passed a full verification under one
 * KeyRing, so a token presented again skips the signature work (src/jwt/verified-cache.ts for
 * JWTs, src/engine/verify-own.ts for SAML assertions; the security argument is in
 * docs/security.md, "Remembered verifications").
 *
 * The key is the token's whole text (string equality, never a hash) and each memo belongs to
 * one KeyRing, so a new configuration starts empty. Bounded by entry count and by total key
 * text; the oldest insertion goes first.
 */
import type { KeyRing } from "./keyring.ts";

export interface MemoLimits {
  /** Most entries one KeyRing's memo holds. */
  maxEntries: number;
  /** Longer keys are never remembered (verified every time). */
  maxKeyChars: number;
  /** Total key text one memo holds. */
  maxTotalChars: number;
}

interface Memo<V> {
  entries: Map<string, V>;
  chars: number;
}

/** One kind of remembered verification (one per token format), one memo per KeyRing. */
export class VerifiedMemo<V> {
  readonly #memos = new WeakMap<KeyRing, Memo<V>>();
  readonly #limits: MemoLimits;

  constructor(limits: MemoLimits) {
    this.#limits = limits;
  }

  /** What was remembered for exactly this text under this KeyRing, if anything. */
  get(keys: KeyRing, text: string): V | undefined {
    if (text.length > this.#limits.maxKeyChars) return undefined;
    return this.#memos.get(keys)?.entries.get(text);
  }

  /** Remembers `value` (which must not change afterwards: freeze it) for exactly `text`. */
  set(keys: KeyRing, text: string, value: V): void {
    const { maxEntries, maxKeyChars, maxTotalChars } = this.#limits;
    if (text.length > maxKeyChars) return;
    let memo = this.#memos.get(keys);
    if (!memo) this.#memos.set(keys, (memo = { entries: new Map(), chars: 0 }));
    forget(memo, text); // a re-insert moves to the back of the eviction order
    while (memo.entries.size >= maxEntries || (memo.entries.size > 0 && memo.chars + text.length > maxTotalChars)) {
      forget(memo, memo.entries.keys().next().value as string);
    }
    memo.entries.set(text, value);
    memo.chars += text.length;
  }

  delete(keys: KeyRing, text: string): void {
    const memo = this.#memos.get(keys);
    if (memo) forget(memo, text);
  }

  /** How many entries this KeyRing's memo holds (tests). */
  size(keys: KeyRing): number {
    return this.#memos.get(keys)?.entries.size ?? 0;
  }
}

function forget<V>(memo: Memo<V>, text: string): void {
  if (memo.entries.delete(text)) memo.chars -= text.length;
}

/** Freezes `v` and everything reachable from it (plain data: objects and arrays). */
export function deepFreeze<T>(v: T): T {
  if (typeof v === "object" && v !== null && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}
