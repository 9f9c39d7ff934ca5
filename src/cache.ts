/**
 * Per-isolate memory, in one place and under one size policy. A Worker isolate has 128 MB; what
 * the STS keeps between requests (remembered verifications, revoked answers, hashes of public
 * identifiers, abuse counters) must stay a bounded share of it whatever the traffic.
 *
 * The policy: every cache is a {@link BoundedCache} created by a {@link CacheRegistry}, with a
 * maximum entry count and, when its keys are caller-supplied text (tokens), a bound on the key
 * text it holds; the oldest insertion is forgotten first. A registry refuses a cache whose worst
 * case would take its total past the registry's budget, so the sum of every limit is checked
 * once, where the caches are made, rather than trusted file by file.
 */

export interface CacheLimits {
  /** Most entries the cache holds. */
  maxEntries: number;
  /** Keys longer than this are never remembered (default: no bound). */
  maxKeyChars?: number;
  /** Total key text the cache holds (default: no bound beyond the entry count). */
  maxTotalChars?: number;
  /**
   * Bytes one entry may take besides its key (value and bookkeeping), for the registry's budget.
   * An estimate of the worst case, measured for the values the cache holds.
   */
  entryBytes: number;
}

export interface CacheStats {
  name: string;
  entries: number;
  chars: number;
  hits: number;
  misses: number;
  evictions: number;
}

/** A bounded map from string keys; insertion order is the eviction order. */
export class BoundedCache<V> {
  readonly name: string;
  readonly #limits: CacheLimits;
  readonly #entries = new Map<string, V>();
  #chars = 0;
  #hits = 0;
  #misses = 0;
  #evictions = 0;

  constructor(name: string, limits: CacheLimits) {
    this.name = name;
    this.#limits = limits;
  }

  /** The entry for `key`; with `accept`, only an entry it accepts counts (and answers) as a hit. */
  get(key: string, accept?: (v: V) => boolean): V | undefined {
    if (this.#limits.maxKeyChars !== undefined && key.length > this.#limits.maxKeyChars) return undefined;
    const v = this.#entries.get(key);
    if (v === undefined || (accept !== undefined && !accept(v))) {
      this.#misses++;
      return undefined;
    }
    this.#hits++;
    return v;
  }

  /** Remembers `value` for `key` (a re-insert moves the key to the back of the eviction order). */
  set(key: string, value: V): void {
    const { maxEntries, maxKeyChars, maxTotalChars } = this.#limits;
    if (maxKeyChars !== undefined && key.length > maxKeyChars) return;
    this.delete(key);
    while (
      this.#entries.size >= maxEntries ||
      (maxTotalChars !== undefined && this.#entries.size > 0 && this.#chars + key.length > maxTotalChars)
    ) {
      this.delete(this.#entries.keys().next().value as string);
      this.#evictions++;
    }
    this.#entries.set(key, value);
    this.#chars += key.length;
  }

  delete(key: string): void {
    if (this.#entries.delete(key)) this.#chars -= key.length;
  }

  clear(): void {
    this.#entries.clear();
    this.#chars = 0;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** How many entries satisfy `test` (tests and diagnostics; walks every entry). */
  entriesWhere(test: (v: V) => boolean): number {
    let n = 0;
    for (const v of this.#entries.values()) if (test(v)) n++;
    return n;
  }

  stats(): CacheStats {
    return { name: this.name, entries: this.#entries.size, chars: this.#chars, hits: this.#hits, misses: this.#misses, evictions: this.#evictions };
  }

  /** The most memory this cache can take, in bytes (UTF-16 key text plus the entry estimate). */
  worstCaseBytes(): number {
    const { maxEntries, maxKeyChars, maxTotalChars, entryBytes } = this.#limits;
    const keyChars = Math.min(maxTotalChars ?? Infinity, maxEntries * (maxKeyChars ?? 256));
    return keyChars * 2 + maxEntries * entryBytes;
  }
}

/** Thrown at start when the caches' limits would not fit the budget: a bug, not a request. */
export class CacheBudgetError extends Error {}

/** The caches of one scope, made in one place, with one budget. */
export class CacheRegistry {
  readonly #budgetBytes: number;
  readonly #caches: BoundedCache<unknown>[] = [];
  #committed = 0;

  constructor(budgetBytes: number) {
    this.#budgetBytes = budgetBytes;
  }

  /** Makes a cache and charges its worst case to the budget. */
  cache<V>(name: string, limits: CacheLimits): BoundedCache<V> {
    const c = new BoundedCache<V>(name, limits);
    const cost = c.worstCaseBytes();
    if (this.#committed + cost > this.#budgetBytes) {
      throw new CacheBudgetError(`cache '${name}' (${cost} bytes at most) does not fit the remaining budget of ${this.#budgetBytes - this.#committed} bytes`);
    }
    this.#committed += cost;
    this.#caches.push(c as BoundedCache<unknown>);
    return c;
  }

  /** What every cache holds now, for tests, the memory benchmark and operators. */
  stats(): CacheStats[] {
    return this.#caches.map((c) => c.stats());
  }

  /** The budget the registered caches may take at most, in bytes. */
  get committedBytes(): number {
    return this.#committed;
  }

  clear(): void {
    for (const c of this.#caches) c.clear();
  }
}

/**
 * What one isolate may keep in caches, in all: 42 MiB of Workers' 128 MB, so that with the code,
 * the configuration and requests in flight the heap stays under 64 MB.
 */
export const ISOLATE_CACHE_BUDGET_BYTES = 42 * 1024 * 1024;

/** The isolate's caches: every cache that grows with traffic is made here, and only here. */
export const isolateCaches = new CacheRegistry(ISOLATE_CACHE_BUDGET_BYTES);
