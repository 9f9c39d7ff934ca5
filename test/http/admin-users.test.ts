/**
 * The user directory end to end, over HTTP: the administration API (`/admin/users`) creates,
 * lists, changes and deletes users in D1, and what it does is what WS-Trust sign-in sees at
 * once — a new user signs in with its claims, a disabled or deleted one cannot, a new password
 * replaces the old, and revoking with a change ends the tokens already issued.
 */
import { describe, expect, it } from "vitest";
import { TT, envelope } from "../helpers/soap.ts";
import { call, faultCode, trust } from "../helpers/worker.ts";
import { DEV_CONFIG } from "../../src/config/dev.ts";
import { jwtIn, trustWith, workerWith } from "../hostile/configured.ts";
import { exchangeSubject, validateStatus, STATUS_INVALID, STATUS_VALID, VALIDATOR } from "../hostile/helpers.ts";
import { API, TX, b64url, exchange, unb64url } from "../oauth/helpers.ts";
import { DEMO, literalBasic, STS_ADMIN, USER_ADMIN as ADMIN } from "../helpers/credentials.ts";

const json = (body: unknown) => JSON.stringify(body);

function admin(path: string, method = "GET", body?: unknown, authorization = ADMIN): Promise<Response> {
  const headers: Record<string, string> = { authorization };
  if (body !== undefined) headers["content-type"] = "application/json";
  return call(path, { method, headers, ...(body === undefined ? {} : { body: typeof body === "string" ? body : json(body) }) });
}

const fresh = (prefix = "user") => `${prefix}-${crypto.randomUUID().slice(0, 8)}`;
const signIn = (user: string, password: string) => trust({ user, password, appliesTo: "urn:example:rp", tokenType: TT.saml2 });
const assertionOf = (text: string) => /<saml:Assertion[\s\S]*?<\/saml:Assertion>/.exec(text)?.[0];

async function create(username: string, password = "correct-horse-1", claims: Record<string, unknown> = {}): Promise<Response> {
  return admin("/admin/users", "POST", { username, password, claims });
}

describe("the development directory user", () => {
  it("dave signs in over WS-Trust with his directory password and gets his directory claims", async () => {
    const r = await signIn("dave", "directory-pass-1");
    expect(r.status, r.text.slice(0, 400)).toBe(200);
    const a = assertionOf(r.text)!;
    expect(a).toContain(">dave<");
    expect(a).toContain("dave@example.com");
    expect(a).toContain(">Dave<");
    const wrong = await signIn("dave", "directory-pass-2");
    expect(faultCode(wrong.text)).toContain("FailedAuthentication");
  });

  it("is listed and shown, never with a hash", async () => {
    const res = await admin("/admin/users/dave");
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain("pbkdf2");
    expect(JSON.parse(text).user).toMatchObject({ username: "dave", enabled: true, claims: { email: ["dave@example.com"], role: ["user"] } });
  });
});

describe("creating a user", () => {
  it("a user whose name has a composed letter signs in when the name is typed decomposed (RFC 8265: names compared in NFC), as the stored name", async () => {
    const name = `zo\u00eb-${crypto.randomUUID().slice(0, 8)}`;
    expect((await create(name)).status).toBe(201);
    const r = await signIn(name.normalize("NFD"), "correct-horse-1");
    expect(r.status, r.text.slice(0, 400)).toBe(200);
    expect(assertionOf(r.text)).toContain(`>${name}<`);
    expect(assertionOf(r.text)).not.toContain(name.normalize("NFD"));
  });

  it("201 with the user; the user signs in with that password and those claims", async () => {
    const name = fresh();
    const res = await create(name, "correct-horse-1", { email: `${name}@example.org`, role: ["user", "auditor"] });
    expect(res.status).toBe(201);
    const { user } = (await res.json()) as { user: Record<string, unknown> };
    expect(user).toMatchObject({ username: name, enabled: true, claims: { email: [`${name}@example.org`], role: ["user", "auditor"] } });
    expect(Date.parse(user.created_at as string)).toBeGreaterThan(0);
    const r = await signIn(name, "correct-horse-1");
    expect(r.status).toBe(200);
    expect(assertionOf(r.text)).toContain(`${name}@example.org`);
    expect(assertionOf(r.text)).toContain(">auditor<");
  });

  it("a hash made elsewhere (an import) works as a password does", async () => {
    const { hashPassword } = await import("../../src/identity/password.ts");
    const name = fresh();
    const res = await admin("/admin/users", "POST", { username: name, passwordHash: await hashPassword("imported-pass-1", { iterations: 10_000 }) });
    expect(res.status).toBe(201);
    expect((await signIn(name, "imported-pass-1")).status).toBe(200);
  });

  it("409 for a name taken in the directory, by a configured user or by a service account", async () => {
    const name = fresh();
    expect((await create(name)).status).toBe(201);
    for (const taken of [name, "alice", "sts-admin"]) {
      const res = await create(taken);
      expect(res.status, taken).toBe(409);
      expect(await res.json()).toMatchObject({ error: "user_exists" });
    }
    // alice is still the configured alice.
    expect((await signIn("alice", "wonderland")).status).toBe(200);
  });

  it("409 for an OAuth client's id, in any case, in a create and an import: a client is named by its id where it acts (act.sub, may_act)", async () => {
    for (const taken of ["demo-client", "Demo-Client"]) {
      const res = await create(taken);
      expect(res.status, taken).toBe(409);
      expect(((await res.json()) as { error_description: string }).error_description).toContain("OAuth client");
    }
    const { hashPassword } = await import("../../src/identity/password.ts");
    const passwordHash = await hashPassword("imported-pass-1", { iterations: 10_000 });
    const res = await admin("/admin/users/import", "POST", { users: [{ username: "DEMO-CLIENT", passwordHash }] });
    expect(await res.json()).toMatchObject({ created: 0, skipped: [{ username: "DEMO-CLIENT", error: "user_exists" }] });
    expect((await admin("/admin/users/demo-client")).status).toBe(404);
  });

  it("409 for a name that only looks different: another case, a fullwidth or ligature spelling, of a directory or a configured name", async () => {
    const name = fresh("fiona");
    expect((await create(name)).status).toBe(201);
    for (const alike of [name.toUpperCase(), name[0]!.toUpperCase() + name.slice(1), "Alice", "ALICE", "Rp-validator", "Dave"]) {
      const res = await create(alike);
      expect(res.status, alike).toBe(409);
      expect(((await res.json()) as { error_description: string }).error_description).toMatch(/looks the same|differs from it only in case/);
    }
    // Spellings that show another name than they are (fullwidth, a ligature, an invisible mark) are no names at all.
    for (const unseen of ["ａｌｉｃｅ", `ﬁ${name.slice(2)}`, "alice\u034f", "dave\ufe00", "bo\u200db"]) {
      const res = await create(unseen);
      expect(res.status, JSON.stringify(unseen)).toBe(400);
      expect(((await res.json()) as { error_description: string }).error_description).toContain("'username'");
    }
    expect((await signIn("alice", "wonderland")).status).toBe(200);
  });

  it("400 for a name mixing Latin, Cyrillic or Greek letters, which look alike (UTS #39): аlice with a Cyrillic а is not a second alice", async () => {
    const tag = String(crypto.getRandomValues(new Uint32Array(1))[0]);
    for (const lookalike of ["\u0430lice", "b\u03bfb", `d\u0430ve-${tag}`, `\u0440aypal-${tag}`, `\u043e\u03bf-${tag}`]) {
      const res = await create(lookalike);
      expect(res.status, JSON.stringify(lookalike)).toBe(400);
      expect(((await res.json()) as { error_description: string }).error_description).toContain("'username' must be");
    }
    const { hashPassword } = await import("../../src/identity/password.ts");
    const passwordHash = await hashPassword("imported-pass-1", { iterations: 10_000 });
    const imported = await admin("/admin/users/import", "POST", { users: [{ username: `\u0430lice-${tag}`, passwordHash }] });
    expect(imported.status).toBe(400);
    // One script at a time is a name like any other, whatever the script.
    for (const name of [`\u0430\u043b\u0438\u0441\u0430-${tag}`, `\u03b1\u03bb\u03b9\u03ba\u03b7-${tag}`, `alice-\u5c71\u7530-${tag}`]) {
      expect((await create(name)).status, name).toBe(201);
    }
  });

  it("a user stored before the rule for new names (a Latin and Cyrillic mix) is still shown, changed and deleted by its name", async () => {
    const { env } = await import("cloudflare:test");
    const { UserDirectory } = await import("../../src/state/directory.ts");
    const { hashPassword } = await import("../../src/identity/password.ts");
    const name = `\u0430ncient-${crypto.randomUUID().slice(0, 8)}`;
    await new UserDirectory(env.USERS_DB, "").create({ username: name, passwordHash: await hashPassword("ancient-pass-1", { iterations: 10_000 }), enabled: true, claims: {} }, 1);
    const path = `/admin/users/${encodeURIComponent(name)}`;
    expect((await admin(path)).status).toBe(200);
    expect((await admin(path, "PATCH", { enabled: false })).status).toBe(200);
    expect((await admin(path, "DELETE")).status).toBe(204);
    expect((await admin(path)).status).toBe(404);
  });

  it("409 for a name that differs only by a letter case folding makes one: ß and ss, final ς and σ", async () => {
    // Digits: Greek letters beside Latin ones make no name (they look alike).
    const tag = String(crypto.getRandomValues(new Uint32Array(1))[0]);
    for (const [first, alike] of [[`STRAßE-${tag}`, `strasse-${tag}`], [`ΟΔΟΣ-${tag}`, `οδοσ-${tag}`], [`σασ-${tag}`, `ΣΑΣ-${tag}`]] as const) {
      expect((await create(first)).status, first).toBe(201);
      expect((await create(alike)).status, alike).toBe(409);
    }
  });

  it("two creations of one name at once: exactly one wins", async () => {
    const name = fresh();
    const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => create(name, `password-number-${i}`)));
    expect(answers.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    const winner = answers.findIndex((r) => r.status === 201);
    expect((await signIn(name, `password-number-${winner}`)).status).toBe(200);
  });

  it("400 naming the field for a bad name, a short password, reserved or malformed claims, an unknown field", async () => {
    const cases: [unknown, string][] = [
      [{ username: "bad name", password: "long-enough-1" }, "'username'"],
      [{ username: "urn:x#alice", password: "long-enough-1" }, "'username'"],
      [{ username: fresh(), password: "short" }, "'password'"],
      // Characters, not UTF-16 units: four keys are four characters (eight units).
      [{ username: fresh(), password: "\u{1F511}".repeat(4) }, "'password' must be a string of 8 to 1024 characters"],
      [{ username: fresh(), password: "a".repeat(1025) }, "'password'"],
      [{ username: fresh(), password: "\u{1F511}".repeat(1025) }, "'password'"],
      [{ username: fresh(), password: "long-enough-1", claims: { sub: "alice" } }, "'claims.sub'"],
      // A protocol claim by the URI a SAML token states it under is as reserved as by its name.
      [{ username: fresh(), password: "long-enough-1", claims: { "http://schemas.xmlsoap.org/ws/2009/09/identity/claims/actor": "rp-validator" } }, "'claims.http://schemas.xmlsoap.org/ws/2009/09/identity/claims/actor'"],
      [{ username: fresh(), password: "long-enough-1", claims: { "urn:edge-sts:claims/client_id": "demo-client" } }, "'claims.urn:edge-sts:claims/client_id'"],
      [{ username: fresh(), password: "long-enough-1", claims: { "http://schemas.microsoft.com/identity/claims/scope": "admin" } }, "'claims.http://schemas.microsoft.com/identity/claims/scope'"],
      [{ username: fresh(), password: "long-enough-1", claims: { role: [1] } }, "'claims.role[0]'"],
      // Values XML 1.0 cannot carry: no SAML token or browser sign-in could state them.
      [{ username: fresh(), password: "long-enough-1", claims: { department: "R\u0001D" } }, "'claims.department': has a character XML 1.0 cannot carry"],
      [{ username: fresh(), password: "long-enough-1", claims: { department: ["ok", "R\u0000D"] } }, "'claims.department[1]'"],
      [{ username: fresh(), password: "long-enough-1", claims: { email: ["\ud800"] } }, "'claims.email[0]'"],
      [{ username: fresh(), password: "long-enough-1", claims: { email: "a\uffffb" } }, "'claims.email'"],
      [{ username: fresh(), password: "long-enough-1", passwordHash: "pbkdf2-sha256$1$x$y" }, "exactly one"],
      [{ username: fresh(), passwordHash: "pbkdf2-sha256$1$x$y" }, "'passwordHash'"],
      [{ username: fresh(), password: "long-enough-1", admin: true }, "'admin'"],
      ["{not json", "'body'"],
    ];
    for (const [body, field] of cases) {
      const res = await admin("/admin/users", "POST", body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      const e = (await res.json()) as { error: string; error_description: string };
      expect(e.error).toBe("invalid_request");
      expect(e.error_description).toContain(field);
    }
  });
});

describe("changing a user", () => {
  it("PATCH refuses a claim value XML cannot carry, naming it, and changes nothing; tab and line breaks are fine", async () => {
    const name = fresh();
    await create(name, "correct-horse-1", { department: "R&D" });
    const res = await admin(`/admin/users/${name}`, "PATCH", { claims: { department: ["Sales", "R\u001bD"] } });
    expect(res.status).toBe(400);
    const e = (await res.json()) as { error: string; error_description: string };
    expect(e.error).toBe("invalid_request");
    expect(e.error_description).toContain("'claims.department[1]'");
    expect((await admin(`/admin/users/${name}`, "PATCH", { claims: { note: "line one\r\nline\ttwo" } })).status).toBe(200);
    const r = await signIn(name, "correct-horse-1");
    expect(r.status, r.text.slice(0, 300)).toBe(200);
    expect(assertionOf(r.text)).toContain(">R&amp;D<");
  });

  it("PATCH claims is a merge patch: named claims replaced, null removes, others kept", async () => {
    const name = fresh();
    await create(name, "correct-horse-1", { email: "a@example.org", given_name: "A", role: "user" });
    const res = await admin(`/admin/users/${name}`, "PATCH", { claims: { given_name: null, role: ["user", "admin"], department: "R&D" } });
    expect(res.status).toBe(200);
    const { user } = (await res.json()) as { user: { claims: Record<string, string[]> } };
    expect(user.claims).toEqual({ email: ["a@example.org"], role: ["user", "admin"], department: ["R&D"] });
  });

  it("concurrent patches of different claims all land (none is lost to another's write)", async () => {
    const name = fresh();
    await create(name);
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => admin(`/admin/users/${name}`, "PATCH", { claims: { [`c${i}`]: `v${i}` } })));
    expect(answers.every((r) => r.status === 200)).toBe(true);
    const { user } = (await (await admin(`/admin/users/${name}`)).json()) as { user: { claims: Record<string, string[]> } };
    expect(Object.keys(user.claims).sort()).toEqual(["c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7"]);
  });

  it("disabling stops sign-in at once; with revokeTokens the tokens already issued are invalid; enabling restores sign-in", async () => {
    const name = fresh();
    await create(name);
    const before = assertionOf((await signIn(name, "correct-horse-1")).text)!;
    expect((await validateStatus(before)).code).toBe(STATUS_VALID);

    const off = await admin(`/admin/users/${name}`, "PATCH", { enabled: false });
    expect(((await off.json()) as { user: { enabled: boolean } }).user.enabled).toBe(false);
    expect(faultCode((await signIn(name, "correct-horse-1")).text)).toContain("FailedAuthentication");
    // Without revokeTokens, what was issued lives on.
    expect((await validateStatus(before)).code).toBe(STATUS_VALID);

    const revoked = await admin(`/admin/users/${name}`, "PATCH", { revokeTokens: true });
    expect(((await revoked.json()) as { tokens_revoked_before?: string }).tokens_revoked_before).toMatch(/^\d{4}-/);
    expect((await validateStatus(before)).code).toBe(STATUS_INVALID);

    await admin(`/admin/users/${name}`, "PATCH", { enabled: true });
    expect((await signIn(name, "correct-horse-1")).status).toBe(200);
  });

  it("Validate-transformation issues from a directory user's token with their current claims, and not once they are disabled", async () => {
    const f = workerWith({
      ...DEV_CONFIG,
      serviceAccounts: [...(DEV_CONFIG.serviceAccounts ?? []), { username: "transformer", secretHashSecret: "DEV_RP_VALIDATOR_SECRET_HASH", allowedRelyingParties: ["urn:example:rp", "https://api.example.com/"], operations: ["validate", "issue"] }],
    });
    const name = fresh();
    await create(name, "correct-horse-1", { role: "user" });
    const saml = assertionOf((await signIn(name, "correct-horse-1")).text)!;
    await admin(`/admin/users/${name}`, "PATCH", { claims: { role: "auditor" } });
    const transform = () =>
      trustWith(f, { user: "transformer", password: "rp-validator-secret-0f1e2d3c4b5a6978", requestType: "Validate", tokenType: TT.jwt, appliesTo: "https://api.example.com/", extra: `<wst:ValidateTarget>${saml}</wst:ValidateTarget>` });
    const ok = await transform();
    const jwt = jwtIn(ok.text);
    expect(jwt, ok.text.slice(0, 300)).toBeDefined();
    expect(JSON.parse(atob(jwt!.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/")))).toMatchObject({ sub: name, role: ["auditor"] });

    await admin(`/admin/users/${name}`, "PATCH", { enabled: false });
    const refused = await transform();
    expect(jwtIn(refused.text)).toBeUndefined();
    expect(refused.text).toContain("disabled");
  });

  it("a configured user with enabled: false signs in nowhere, and no new token is made from one of theirs", async () => {
    const bobsToken = assertionOf((await signIn("bob", "builder")).text)!; // issued while bob was enabled
    const disabled = workerWith({ ...DEV_CONFIG, users: DEV_CONFIG.users!.map((u) => (u.username === "bob" ? { ...u, enabled: false } : u)) });
    const signInThere = await trustWith(disabled, { user: "bob", password: "builder", appliesTo: "urn:example:rp", tokenType: TT.saml2 });
    expect(signInThere.fault).toBe("wst:FailedAuthentication");
    const unknown = await trustWith(disabled, { user: `nobody-${crypto.randomUUID()}`, password: "builder", appliesTo: "urn:example:rp", tokenType: TT.saml2 });
    expect(signInThere.text).toBe(unknown.text); // the same answer as any failed sign-in
    const x = await exchange({ subject_token: b64url(bobsToken), subject_token_type: TX.saml2, audience: API, requested_token_type: TX.jwt }, undefined, disabled);
    expect(x.status).toBe(400);
    expect(String(x.json.error_description)).toContain("disabled");
    const renewed = await trustWith(disabled, { ...VALIDATOR, requestType: "Renew", extra: `<wst:RenewTarget>${bobsToken}</wst:RenewTarget>` });
    expect(assertionOf(renewed.text)).toBeUndefined();
    expect(renewed.text).toContain("disabled");
    // The name stays taken.
    const taken = await disabled("/admin/users", { method: "POST", headers: { authorization: ADMIN, "content-type": "application/json" }, body: JSON.stringify({ username: "bob", password: "correct-horse-1" }) });
    expect(taken.status).toBe(409);
  });

  it("every route that issues from a directory user's token uses their current claims, and refuses once they are disabled", async () => {
    const f = workerWith({
      ...DEV_CONFIG,
      serviceAccounts: [...(DEV_CONFIG.serviceAccounts ?? []), { username: "gateway", secretHashSecret: "DEV_RP_VALIDATOR_SECRET_HASH", allowedRelyingParties: ["urn:example:rp"], operations: ["issue"] }],
    });
    const gateway = { user: "gateway", password: "rp-validator-secret-0f1e2d3c4b5a6978" };
    const name = fresh();
    await create(name, "correct-horse-1", { role: "user" });
    const saml = assertionOf((await signIn(name, "correct-horse-1")).text)!;
    const spare = assertionOf((await signIn(name, "correct-horse-1")).text)!;
    await admin(`/admin/users/${name}`, "PATCH", { claims: { role: "auditor" } });
    const exchangeIt = () => exchange({ subject_token: b64url(saml), subject_token_type: TX.saml2, audience: API, requested_token_type: TX.jwt });
    const onBehalfOf = () => trustWith(f, { ...gateway, appliesTo: "urn:example:rp", extra: `<wst:OnBehalfOf>${saml}</wst:OnBehalfOf>` });
    const renew = (token: string) => trust({ ...VALIDATOR, requestType: "Renew", extra: `<wst:RenewTarget>${token}</wst:RenewTarget>` });

    const x = await exchangeIt();
    expect(x.status, JSON.stringify(x.json)).toBe(200);
    expect(JSON.parse(unb64url((x.json.access_token as string).split(".")[1]!))).toMatchObject({ sub: name, role: ["auditor"] });
    const obo = await onBehalfOf();
    expect(obo.status, obo.text.slice(0, 300)).toBe(200);
    expect(assertionOf(obo.text)).toContain("auditor");
    expect((await renew(spare)).status).toBe(200);

    await admin(`/admin/users/${name}`, "PATCH", { enabled: false });
    const refusedExchange = await exchangeIt();
    expect(refusedExchange.status).not.toBe(200);
    expect(String(refusedExchange.json.error_description)).toContain("disabled");
    const refusedObo = await onBehalfOf();
    expect(assertionOf(refusedObo.text)).toBeUndefined();
    expect(refusedObo.text).toContain("disabled");
    const refusedRenew = await renew(saml);
    expect(assertionOf(refusedRenew.text)).toBeUndefined();
    expect(refusedRenew.text).toContain("disabled");
  });

  it("a token issued right after a revocation returns is not revoked with those before it, JWTs' whole-second iat included", async () => {
    const name = fresh();
    await create(name);
    const jwtFor = async () => jwtIn((await trust({ user: name, password: "correct-horse-1", appliesTo: API, tokenType: TT.jwt })).text)!;
    const before = await jwtFor();
    const res = await admin(`/admin/users/${name}`, "PATCH", { revokeTokens: true });
    const cutoff = Date.parse(((await res.json()) as { tokens_revoked_before: string }).tokens_revoked_before);
    expect(cutoff % 1000).toBe(0);
    const after = await jwtFor();
    expect((await exchangeSubject(before, "jwt")).error).toBe("invalid_grant");
    expect((await exchangeSubject(after, "jwt")).status).toBe(200);
    // Delete and create again: the new user's first token is good at once.
    expect((await admin(`/admin/users/${name}`, "DELETE")).status).toBe(204);
    await create(name);
    expect((await exchangeSubject(await jwtFor(), "jwt")).status).toBe(200);
  });

  it("without a configured issuer, a revocation made through one address ends the tokens issued through another", async () => {
    const { exports } = await import("cloudflare:workers");
    const at = (origin: string, path: string, init: RequestInit) =>
      (exports as unknown as { default: { fetch(r: Request): Promise<Response> } }).default.fetch(new Request(origin + path, init));
    const name = fresh();
    await create(name);
    // Issued through http://localhost:8787: its issuer is that origin.
    const e = envelope({ user: name, password: "correct-horse-1", appliesTo: API, tokenType: TT.jwt, to: "http://localhost:8787/trust/13/usernamemixed" });
    const jwt = jwtIn(await (await at("http://localhost:8787", "/trust/13/usernamemixed", { method: "POST", headers: e.headers, body: e.body })).text())!;
    const introspect = async () =>
      (await (await at("http://localhost:8787", "/oauth2/introspect", { method: "POST", headers: { authorization: DEMO, "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ token: jwt }).toString() })).json()) as { active: boolean };
    expect((await introspect()).active).toBe(true);
    // Revoked through the other address (the test origin, 127.0.0.1).
    expect((await admin(`/admin/users/${name}`, "PATCH", { revokeTokens: true })).status).toBe(200);
    expect((await introspect()).active).toBe(false);
  });

  it("PUT password: the new password works and the old one no longer does", async () => {
    const name = fresh();
    await create(name, "old-password-1");
    const res = await admin(`/admin/users/${name}/password`, "PUT", { password: "new-password-2" });
    expect(res.status).toBe(204);
    expect(faultCode((await signIn(name, "old-password-1")).text)).toContain("FailedAuthentication");
    expect((await signIn(name, "new-password-2")).status).toBe(200);
    // Characters, not UTF-16 units: four keys are too short, eight are a password.
    const short = await admin(`/admin/users/${name}/password`, "PUT", { password: "\u{1F511}".repeat(4) });
    expect(short.status).toBe(400);
    expect(((await short.json()) as { error_description: string }).error_description).toContain("'password' must be a string of 8 to 1024 characters");
    expect((await admin(`/admin/users/${name}/password`, "PUT", { password: "\u{1F511}".repeat(8) })).status).toBe(204);
    expect((await signIn(name, "\u{1F511}".repeat(8))).status).toBe(200);
  });

  it("a password no client can send is 400 naming it: an unpaired surrogate (hashed as U+FFFD, which would then match) or a control character", async () => {
    const name = fresh();
    const other = fresh();
    expect((await create(name, "good-password-1")).status).toBe(201);
    for (const password of ["password-\uD800\uD800", "\u0000".repeat(8), "password\u001b[0m", "password-\uFFFF"]) {
      const set = await admin(`/admin/users/${name}/password`, "PUT", { password });
      expect(set.status, JSON.stringify(password)).toBe(400);
      expect(((await set.json()) as { error_description: string }).error_description).toContain("'password' has a character no client can send");
      const made = await create(other, password);
      expect(made.status, JSON.stringify(password)).toBe(400);
      expect(((await made.json()) as { error_description: string }).error_description).toContain("'password' has a character no client can send");
    }
    expect((await admin(`/admin/users/${other}`)).status).toBe(404);
    expect(faultCode((await signIn(name, "password-\uFFFD\uFFFD")).text)).toContain("FailedAuthentication");
    expect((await signIn(name, "good-password-1")).status).toBe(200);
    // Tab and line breaks are XML text: such a password is set and works.
    expect((await admin(`/admin/users/${name}/password`, "PUT", { password: "pass\tword\n-1" })).status).toBe(204);
    expect((await signIn(name, "pass\tword\n-1")).status).toBe(200);
  });

  it("DELETE: 204, the user is gone, cannot sign in, and its tokens are revoked", async () => {
    const name = fresh();
    await create(name);
    const tok = assertionOf((await signIn(name, "correct-horse-1")).text)!;
    expect((await admin(`/admin/users/${name}`, "DELETE")).status).toBe(204);
    expect((await admin(`/admin/users/${name}`)).status).toBe(404);
    expect((await admin(`/admin/users/${name}`, "DELETE")).status).toBe(404);
    expect(faultCode((await signIn(name, "correct-horse-1")).text)).toContain("FailedAuthentication");
    expect((await validateStatus(tok)).code).toBe(STATUS_INVALID);
  });

  it("404 for unknown users, and for configured ones (not the directory's)", async () => {
    for (const path of [`/admin/users/${fresh()}`, "/admin/users/alice"]) {
      const res = await admin(path, "PATCH", { enabled: false });
      expect(res.status, path).toBe(404);
      expect(await res.json()).toMatchObject({ error: "user_not_found" });
    }
    expect((await signIn("alice", "wonderland")).status).toBe(200);
    // Each says what the name is: a service account is not called a user.
    const said = async (path: string) => ((await (await admin(path)).json()) as { error_description: string }).error_description;
    expect(await said("/admin/users/alice")).toBe("'alice' is a configured user: change it in the configuration.");
    expect(await said("/admin/users/user-admin")).toBe("'user-admin' is a configured service account, not a user: change it in the configuration.");
    // A name typed in another case says which one it looks like (a disable or delete of DAVE did nothing to dave).
    expect(await said("/admin/users/DAVE")).toBe("There is no user named 'DAVE'. 'dave' differs from it only in case or Unicode form: name it as it is stored.");
    const disable = await admin("/admin/users/Dave", "DELETE");
    expect(disable.status).toBe(404);
    expect(((await disable.json()) as { error_description: string }).error_description).toContain("'dave' differs from it only in case");
    expect(await said("/admin/users/ALICE")).toBe("There is no user named 'ALICE'. 'alice' differs from it only in case or Unicode form: name it as it is stored.");
    expect((await admin("/admin/users/dave")).status).toBe(200);
  });
});

describe("listing and importing", () => {
  it("imports a batch, skips names already taken, and pages through them in name order", async () => {
    const { hashPassword } = await import("../../src/identity/password.ts");
    const hash = await hashPassword("imported-pass-1", { iterations: 10_000 });
    const prefix = `imp${crypto.randomUUID().slice(0, 6)}`;
    const names = Array.from({ length: 25 }, (_, i) => `${prefix}-${String(i).padStart(2, "0")}`);
    await create(names[3]!);
    const res = await admin("/admin/users/import", "POST", { users: [...names.map((username) => ({ username, passwordHash: hash, claims: { role: "user" } })), { username: "bob", passwordHash: hash }] });
    expect(res.status).toBe(200);
    const out = (await res.json()) as { created: number; skipped: { username: string; error: string }[] };
    expect(out.created).toBe(24);
    expect(out.skipped.map((s) => s.username).sort()).toEqual(["bob", names[3]].sort());
    expect(out.skipped.every((s) => s.error === "user_exists")).toBe(true);
    expect((await signIn(names[7]!, "imported-pass-1")).status).toBe(200);

    // Page through from just before the prefix: 10 at a time.
    const seen: string[] = [];
    let cursor: string | null = null;
    let first = true;
    do {
      const page: Response = await admin(`/admin/users?limit=10${cursor ? `&cursor=${cursor}` : ""}`);
      expect(page.status).toBe(200);
      const body = (await page.json()) as { users: { username: string }[]; next_cursor: string | null };
      if (first) expect(body.users.length).toBeLessThanOrEqual(10);
      first = false;
      seen.push(...body.users.map((u) => u.username));
      cursor = body.next_cursor;
    } while (cursor !== null);
    expect(seen).toEqual([...seen].sort());
    for (const n of names) expect(seen).toContain(n);
  });

  it("a malformed entry fails the whole import, naming it, and creates nothing", async () => {
    const name = fresh();
    const res = await admin("/admin/users/import", "POST", { users: [{ username: name, passwordHash: "pbkdf2-sha256$100000$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" }, { username: fresh(), passwordHash: "nope" }] });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error_description: string }).error_description).toContain("'users[1].passwordHash'");
    expect((await admin(`/admin/users/${name}`)).status).toBe(404);
  });

  it("one name twice in an import, also in another case or Unicode form, fails the whole import naming both, not 'already exists'", async () => {
    const name = fresh("dup");
    const hash = "pbkdf2-sha256$10000$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    for (const [second, said] of [
      [name, `'users[1].username' names '${name}' a second time.`],
      [name.toUpperCase(), `'users[1].username' names '${name.toUpperCase()}' a second time (as '${name}', in another case or Unicode form).`],
    ] as const) {
      const res = await admin("/admin/users/import", "POST", { users: [{ username: name, passwordHash: hash }, { username: second, passwordHash: hash }] });
      expect(res.status, second).toBe(400);
      expect(((await res.json()) as { error_description: string }).error_description).toBe(said);
      expect((await admin(`/admin/users/${name}`)).status).toBe(404);
    }
  });

  it("a cursor this API did not give out, and a limit out of range, are 400", async () => {
    for (const q of ["cursor=%25%25", "limit=0", "limit=1001", "limit=ten"]) {
      expect((await admin(`/admin/users?${q}`)).status, q).toBe(400);
    }
  });
});

describe("the door", () => {
  it("only a service account with manage-users gets in; everyone else gets the same 401", async () => {
    const callers = [
      STS_ADMIN,
      literalBasic("user-admin", "wrong-secret"),
      literalBasic("alice", "wonderland"),
      literalBasic("dave", "directory-pass-1"),
    ];
    const bodies = new Set<string>();
    for (const authorization of callers) {
      const res = await admin("/admin/users", "GET", undefined, authorization);
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toBe('Basic realm="sts-admin"');
      bodies.add(await res.text());
    }
    expect(bodies.size).toBe(1);
  });

  it("the audit line says who changed whom, and never a password", async () => {
    const lines: string[] = [];
    const log = console.log;
    console.log = (...a: unknown[]) => void lines.push(a.map(String).join(" "));
    try {
      await create(fresh("audited"), "secret-password-xyz");
    } finally {
      console.log = log;
    }
    const audit = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.event === "audit");
    expect(audit).toMatchObject({ operation: "admin.users.create", requestor: "user-admin", outcome: "created" });
    expect(String(audit?.subject)).toMatch(/^audited-/);
    expect(lines.join("\n")).not.toContain("secret-password-xyz");
  });
});

describe("realms", () => {
  it("each realm's directory is its own: a user made in realm2 signs in there only, and dave is not realm2's", async () => {
    const name = fresh("r2");
    const made = await admin("/realms/realm2/admin/users", "POST", { username: name, password: "realm2-pass-1", claims: { email: `${name}@realm2.example` } });
    expect(made.status).toBe(201);
    const e = envelope({ user: name, password: "realm2-pass-1", appliesTo: "urn:example:rp", tokenType: TT.saml2, to: "http://127.0.0.1:8787/realms/realm2/trust/13/usernamemixed" });
    const there = await call("/realms/realm2/trust/13/usernamemixed", { method: "POST", headers: e.headers, body: e.body });
    const text = await there.text();
    expect(there.status, text.slice(0, 300)).toBe(200);
    expect(text).toContain(`${name}@realm2.example`);
    expect((await signIn(name, "realm2-pass-1")).status).not.toBe(200);
    expect((await admin(`/admin/users/${name}`)).status).toBe(404);
    expect((await admin("/realms/realm2/admin/users/dave")).status).toBe(404);
  });
});

describe("federation metadata and the directory", () => {
  const metadata = async () => (await call("/FederationMetadata/2007-06/FederationMetadata.xml")).text();

  it("offers a claim type as soon as a directory user holds it, created or patched, and keeps it after", async () => {
    const created = `urn:example:claims:department_${crypto.randomUUID().slice(0, 8)}`;
    const patched = `http://example.com/claims/cost_centre_${crypto.randomUUID().slice(0, 8)}`;
    expect(await metadata()).not.toContain(created);
    const name = fresh();
    expect((await create(name, "correct-horse-1", { [created]: ["research"] })).status).toBe(201);
    expect(await metadata()).toContain(`<auth:ClaimType Uri="${created}" Optional="true"><auth:DisplayName>${created}</auth:DisplayName>`);
    expect(await metadata()).not.toContain(patched);
    expect((await admin(`/admin/users/${name}`, "PATCH", { claims: { [patched]: "42" } })).status).toBe(200);
    expect(await metadata()).toContain(`Uri="${patched}"`);
    // A name once held stays offered (a relying party may still hold tokens with it).
    expect((await admin(`/admin/users/${name}`, "PATCH", { claims: { [created]: null } })).status).toBe(200);
    expect(await metadata()).toContain(`Uri="${created}"`);
  });

  it("a claim a directory user holds under a short name is not offered: a claim type is named by an absolute URI", async () => {
    const short = `badge_${crypto.randomUUID().slice(0, 8)}`;
    expect((await create(fresh(), "correct-horse-1", { [short]: ["42"] })).status).toBe(201);
    expect(await metadata()).not.toContain(short);
  });

  it("a claim with no value is refused, naming it, in a create, a patch and an import: stored, it showed nowhere but was offered and counted", async () => {
    const claim = `empty_${crypto.randomUUID().slice(0, 8)}`;
    const name = fresh();
    const made = await create(name, "correct-horse-1", { [claim]: [] });
    expect(made.status).toBe(400);
    expect(((await made.json()) as { error_description: string }).error_description).toBe(`'claims.${claim}': must hold at least one value (a claim is removed with null).`);
    expect((await create(name)).status).toBe(201);
    const patched = await admin(`/admin/users/${name}`, "PATCH", { claims: { role: "user", [claim]: [] } });
    expect(patched.status).toBe(400);
    expect(((await patched.json()) as { error_description: string }).error_description).toContain(`'claims.${claim}': must hold at least one value`);
    const hash = "pbkdf2-sha256$10000$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    const imported = await admin("/admin/users/import", "POST", { users: [{ username: fresh(), passwordHash: hash, claims: { [claim]: [] } }] });
    expect(imported.status).toBe(400);
    expect(((await imported.json()) as { error_description: string }).error_description).toContain(`'users[0].claims.${claim}': must hold at least one value`);
    expect(((await (await admin(`/admin/users/${name}`)).json()) as { user: { claims: object } }).user.claims).toEqual({});
    expect(await metadata()).not.toContain(claim);
  });

  it("a refused create offers nothing of what it asked for", async () => {
    const claim = `refused_${crypto.randomUUID().slice(0, 8)}`;
    expect((await create("dave", "correct-horse-1", { [claim]: ["x"] })).status).toBe(409);
    expect(await metadata()).not.toContain(claim);
  });
});
