/** The session cookie's contents: a local user's, a partner's user's with its claims, and what a reader refuses. */
import { describe, expect, it } from "vitest";
import { FORM_TOKEN_MS, credentialStamp, MAX_SESSION_CHARS, type Session, type SignInParams, checkFormToken, formToken, newSessionId, openSession, openSessionRef, sealJson, sealSession, sealSessionRef, sessionStateId } from "../../src/pages/wsfed-session.ts";

const SECRET = { secret: "test-web-session-secret-0123456789abcdef", realm: "https://sts.example.org" };
const now = Date.now();
const base: Session = { subject: "alice", authTime: now - 1000, method: "urn:x", expires: now + 60_000, parties: [{ id: "urn:example:rp", reply: "https://rp.example.org/wsfed" }] };

describe("session cookie", () => {
  it("a local user's session and a partner's user's (with the partner's claims) come back as sealed", async () => {
    expect(await openSession(SECRET, await sealSession(SECRET, base), now)).toEqual(base);
    const partner: Session = { ...base, subject: "urn:example:partner-idp#carol", partner: { issuer: "urn:example:partner-idp", claims: { email: ["carol@partner.example"] } } };
    expect(await openSession(SECRET, await sealSession(SECRET, partner), now)).toEqual(partner);
    const local: Session = { ...base, credential: await credentialStamp(SECRET, "pbkdf2-sha256$100000$c2FsdA$aGFzaA") };
    expect(await openSession(SECRET, await sealSession(SECRET, local), now)).toEqual(local);
  });

  it("remembers a password hash as a MAC of it under the realm's key: another hash, key or realm stamps another value", async () => {
    const hash = "pbkdf2-sha256$100000$c2FsdA$aGFzaA";
    const stamp = await credentialStamp(SECRET, hash);
    expect(stamp).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(stamp).toBe(await credentialStamp(SECRET, hash));
    expect(await credentialStamp(SECRET, hash.replace("aGFzaA", "aGFzaB"))).not.toBe(stamp);
    expect(await credentialStamp({ ...SECRET, secret: "another-secret-of-some-length-000000" }, hash)).not.toBe(stamp);
    expect(await credentialStamp({ ...SECRET, realm: "https://sts.example.org/realms/two" }, hash)).not.toBe(stamp);
  });

  it("refuses another key's MAC or another realm's, and an expired session", async () => {
    expect(await openSession({ ...SECRET, secret: "another-secret-of-some-length-000000" }, await sealSession(SECRET, base), now)).toBeUndefined();
    // Another realm that shares the secret: its issuer is in the MAC's label.
    expect(await openSession({ ...SECRET, realm: "https://sts.example.org/realms/two" }, await sealSession(SECRET, base), now)).toBeUndefined();
    expect(await openSession(SECRET, await sealSession(SECRET, { ...base, expires: now - 1 }), now)).toBeUndefined();
  });

  it("another realm that shares the secret and the issuer (a realm without `issuer` takes the origin, which another may configure) refuses its sessions, forms and stamps", async () => {
    const two = { ...SECRET, name: "two" };
    expect(await openSession(two, await sealSession(SECRET, base), now)).toBeUndefined();
    expect(await openSession(SECRET, await sealSession(two, base), now)).toBeUndefined();
    expect(await openSession({ ...SECRET, name: "three" }, await sealSession(two, base), now)).toBeUndefined();
    expect(await openSession(two, await sealSession(two, base), now)).toEqual(base);
    const p: SignInParams = { wtrealm: "urn:example:rp", wreply: "", wctx: "ctx" };
    expect(await checkFormToken(two, await formToken(SECRET, p, "AAAAAAAAAAAAAAAAAAAAAA", now), p, "AAAAAAAAAAAAAAAAAAAAAA", now + 1000)).toBeUndefined();
    expect(await credentialStamp(two, "pbkdf2-sha256$10000$AAAA$BBBB")).not.toBe(await credentialStamp(SECRET, "pbkdf2-sha256$10000$AAAA$BBBB"));
  });

  it("refuses a partner session whose claims are not lists of strings, a credential stamp that is not a string, and one too large", async () => {
    const fields = { s: "x#carol", t: now - 1000, m: "urn:x", e: now + 60_000, r: [] };
    for (const bad of [{ p: "urn:p", c: { email: "one" } }, { p: "urn:p", c: [["a"]] }, { p: 7, c: {} }, { p: "urn:p", c: { email: [1] } }]) {
      expect(await openSession(SECRET, await sealJson(SECRET, "session", { ...fields, ...bad }), now), JSON.stringify(bad)).toBeUndefined();
    }
    // A credential stamp that is not a string is no session of ours.
    expect(await openSession(SECRET, await sealJson(SECRET, "session", { ...fields, s: "alice", k: 7 }), now)).toBeUndefined();
    const big = await sealSession(SECRET, { ...base, partner: { issuer: "urn:p", claims: { group: Array.from({ length: 400 }, (_, i) => `group-${i}`) } } });
    expect(big.length).toBeGreaterThan(MAX_SESSION_CHARS);
    expect(await openSession(SECRET, big, now)).toBeUndefined();
  });
});

describe("session ID", () => {
  it("is random: sessions of one subject begun in one millisecond are known apart, in the cookie, the partner-session cookie and the state store", async () => {
    const [a, b] = [{ ...base, id: newSessionId() }, { ...base, id: newSessionId() }];
    expect(a.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(sessionStateId(a)).not.toBe(sessionStateId(b));
    expect(await openSession(SECRET, await sealSession(SECRET, a), now)).toEqual(a);
    const ref = { id: a.id, subject: a.subject, authTime: a.authTime, expires: a.expires };
    expect(await openSessionRef(SECRET, await sealSessionRef(SECRET, ref), now)).toEqual(ref);
    // A cookie sealed without one keeps the ID the state store knew it by.
    const { id: _id, ...old } = ref;
    expect(await openSessionRef(SECRET, await sealSessionRef(SECRET, old), now)).toEqual(old);
    expect(sessionStateId(old)).toBe(`wsfed-session:alice:${base.authTime}`);
    // An ID of another shape is no session of ours.
    expect(await openSession(SECRET, await sealJson(SECRET, "session", { i: 7, s: "alice", t: now - 1000, m: "urn:x", e: now + 60_000, r: [] }), now)).toBeUndefined();
    expect(await openSessionRef(SECRET, await sealJson(SECRET, "session-ref", ["alice", now - 1000, now + 60_000, "x:y"]), now)).toBeUndefined();
  });
});

describe("sign-in form token", () => {
  const p: SignInParams = { wtrealm: "urn:example:rp", wreply: "", wctx: "ctx" };
  const binding = "AAAAAAAAAAAAAAAAAAAAAA";

  it("is good for its time in its browser with its parameters; past its time it is told apart as expired, our own but too old", async () => {
    const t = await formToken(SECRET, p, binding, now);
    expect(await checkFormToken(SECRET, t, p, binding, now + 1000)).toMatchObject({ expires: now + FORM_TOKEN_MS });
    expect(await checkFormToken(SECRET, t, p, binding, now + FORM_TOKEN_MS)).toBe("expired");
    expect(await checkFormToken(SECRET, t, p, binding, now + FORM_TOKEN_MS + 86_400_000)).toBe("expired");
  });

  it("an expiry changed, another browser's or other parameters' token, or another key's is not valid at all (never 'expired')", async () => {
    const t = await formToken(SECRET, p, binding, now);
    const [e, n, mac] = t.split(".");
    const later = now + FORM_TOKEN_MS + 1;
    expect(await checkFormToken(SECRET, `${Number(e) - 1}.${n}.${mac}`, p, binding, later)).toBeUndefined();
    expect(await checkFormToken(SECRET, t, p, "BBBBBBBBBBBBBBBBBBBBBB", later)).toBeUndefined();
    expect(await checkFormToken(SECRET, t, { ...p, wctx: "other" }, binding, later)).toBeUndefined();
    expect(await checkFormToken({ ...SECRET, secret: "another-secret-of-some-length-000000" }, t, p, binding, later)).toBeUndefined();
    // Made for later than a form lasts: forged.
    expect(await checkFormToken(SECRET, t, p, binding, now - 1000)).toBeUndefined();
  });
});
