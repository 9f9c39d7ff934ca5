/** The pairwise-subject cryptography: known answers, framing, and the sealed subject. */
import { describe, expect, it } from "vitest";
import { MIN_SEALED_CHARS, decodePairwiseSecret, framed, isPseudonymOf, openSeal, pairwiseKeys, pseudonym, sealSubject, unsealNames, unsealSubject } from "../../src/identity/pairwise.ts";
import { utf8 } from "../../src/bytes.ts";

const DEV_SECRET = utf8("DEVELOPMENT ONLY - published pairwise subject secret");
const keys = () => pairwiseKeys(DEV_SECRET);

describe("pseudonyms", () => {
  // Computed with Python's hmac module over the documented framing (4-byte big-endian length,
  // then UTF-8, of issuer, sector and subject).
  it("match known answers from an independent implementation", async () => {
    const k = await keys();
    expect(await pseudonym(k, "http://127.0.0.1:8787", "urn:example:sector:pairwise-rp", "alice")).toBe("V7Ug8kOTjrH0YiNPxQFviRiDtKPTeRfb6azOs9U6XlU");
    expect(await pseudonym(k, "https://sts.example.org", "urn:s", "ü")).toBe("ix2-RfhlS09zPlVRp0ZqV65RVCL-zVR3XWGkEy3Jldo");
  });

  it("are stable for the same inputs and differ across sectors, issuers, subjects and secrets", async () => {
    const k = await keys();
    const p = (i: string, s: string, u: string) => pseudonym(k, i, s, u);
    const a = await p("https://sts", "urn:sector:a", "alice");
    expect(await p("https://sts", "urn:sector:a", "alice")).toBe(a);
    const others = [await p("https://sts", "urn:sector:b", "alice"), await p("https://sts2", "urn:sector:a", "alice"), await p("https://sts", "urn:sector:a", "bob")];
    const other = await pseudonym(await pairwiseKeys(utf8("another secret, also 32 bytes or more")), "https://sts", "urn:sector:a", "alice");
    expect(new Set([a, ...others, other]).size).toBe(5);
    expect(await isPseudonymOf(k, a, "https://sts", "urn:sector:a", "alice")).toBe(true);
    expect(await isPseudonymOf(k, a, "https://sts", "urn:sector:b", "alice")).toBe(false);
    expect(await isPseudonymOf(k, "alice", "https://sts", "urn:sector:a", "alice")).toBe(false);
  });

  it("frame their input unambiguously: moving a boundary changes the bytes and the pseudonym", async () => {
    expect([...framed(["ab", "c"])]).toEqual([0, 0, 0, 2, 0x61, 0x62, 0, 0, 0, 1, 0x63]);
    expect([...framed(["a", "bc"])]).toEqual([0, 0, 0, 1, 0x61, 0, 0, 0, 2, 0x62, 0x63]);
    const k = await keys();
    // With plain concatenation (or a separator a part may contain) these would collide.
    expect(await pseudonym(k, "https://sts", "urn:a", "b")).not.toBe(await pseudonym(k, "https://sts", "urn:", "ab"));
    expect(await pseudonym(k, "x\n", "y", "z")).not.toBe(await pseudonym(k, "x", "\ny", "z"));
  });
});

describe("the sealed subject", () => {
  it("opens to the subject, differs on every seal, and is longer than any random ID part", async () => {
    const k = await keys();
    for (const subject of ["alice", "urn:example:partner-idp#someone with a rather long name ü", "x".repeat(300)]) {
      const a = await sealSubject(k, subject);
      const b = await sealSubject(k, subject);
      expect(a).not.toBe(b);
      expect(a).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(a.length).toBeGreaterThanOrEqual(MIN_SEALED_CHARS);
      expect(await unsealSubject(k, a)).toBe(subject);
    }
    // Names up to the padding block leave the same length: the ID does not tell "al" from "alice".
    expect((await sealSubject(k, "al")).length).toBe((await sealSubject(k, "alice")).length);
  });

  it("refuses what is not a seal of this key", async () => {
    const k = await keys();
    const sealed = await sealSubject(k, "alice");
    const other = await pairwiseKeys(utf8("another secret, also 32 bytes or more"));
    expect(await unsealSubject(other, sealed)).not.toBe("alice");
    expect(await unsealSubject(k, "AAAAAAAAAAAAAAAAAAAAAA")).toBeUndefined(); // a random jti's size
    expect(await unsealSubject(k, sealed.slice(0, -3))).toBeUndefined();
    expect(await unsealSubject(k, sealed + "!")).toBeUndefined();
  });
});

describe("the sealed actors", () => {
  it("a seal carries the real subjects of pseudonymous actors beside the subject's, \"\" for a link named as itself", async () => {
    const k = await keys();
    for (const actors of [["bob"], ["", "carol"], ["bob", "", "urn:example:partner-idp#dave ü"], ["x".repeat(300)]]) {
      const sealed = await sealSubject(k, "alice", actors);
      expect(await unsealNames(k, sealed), actors.join()).toEqual({ subject: "alice", actors });
      expect(await unsealSubject(k, sealed)).toBe("alice");
    }
    // Trailing links named as themselves need no frame: the seal is a subject-only seal's size.
    const plain = await sealSubject(k, "alice", ["", ""]);
    expect(await unsealNames(k, plain)).toEqual({ subject: "alice", actors: [] });
    expect(plain.length).toBe((await sealSubject(k, "alice")).length);
    const stated = await pseudonym(k, "https://sts", "urn:sector:a", "alice");
    expect(await openSeal(k, await sealSubject(k, "alice", ["", "bob"]), stated, "https://sts", "urn:sector:a")).toEqual({ subject: "alice", actors: ["", "bob"] });
  });
});

describe("openSeal", () => {
  it("gives the subject only with the pseudonym it yields for that issuer and sector, the first time and remembered", async () => {
    const k = await keys();
    const sealed = await sealSubject(k, "alice");
    const stated = await pseudonym(k, "https://sts", "urn:sector:a", "alice");
    for (let i = 0; i < 2; i++) expect(await openSeal(k, sealed, stated, "https://sts", "urn:sector:a")).toEqual({ subject: "alice", actors: [] });
    // A remembered success answers for exactly that check, nothing near it.
    expect(await openSeal(k, sealed, await pseudonym(k, "https://sts", "urn:sector:a", "bob"), "https://sts", "urn:sector:a")).toBeUndefined();
    expect(await openSeal(k, sealed, stated, "https://sts", "urn:sector:b")).toBeUndefined();
    expect(await openSeal(k, sealed, stated, "https://sts2", "urn:sector:a")).toBeUndefined();
    const other = await pairwiseKeys(utf8("another secret, also 32 bytes or more"));
    expect(await openSeal(other, sealed, stated, "https://sts", "urn:sector:a")).toBeUndefined();
  });
});

describe("decodePairwiseSecret", () => {
  it("takes base64 and base64url of 32 bytes or more, and nothing weaker", () => {
    expect(decodePairwiseSecret("q7Rz0m3bV5dKx1Hc9yTfWu2LpNe8Gs4JaQiBvXo6CkM=")).toHaveLength(32);
    expect(decodePairwiseSecret("q7Rz0m3bV5dKx1Hc9yTfWu2LpNe8Gs4JaQiBvXo6CkM")).toHaveLength(32);
    expect(decodePairwiseSecret("q7Rz0m3bV5dKx1Hc9yTfWu2LpNe8Gs4JaQiBvXo6C-_")).toHaveLength(32);
    expect(typeof decodePairwiseSecret("q7Rz0m3bV5dKx1Hc9yTfWu2LpNe8Gs4JaQiBvX==")).toBe("string");
    expect(typeof decodePairwiseSecret("A".repeat(64))).toBe("string");
    expect(typeof decodePairwiseSecret("not base64 at all, has spaces")).toBe("string");
  });
});
