/**
 * The audit log of a hostile run: exactly one `"event":"audit"` line per operation (WS-Trust, OAuth
 * and browser sign-in), and no password, client secret, token or token ID in any logged line.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { NS, type RstOptions, envelope, rstXml } from "../helpers/soap.ts";
import { call, trust } from "../helpers/worker.ts";
import { exchange, jwtFromTrust } from "../oauth/helpers.ts";
import { RP, get, post, signIn, signInForm } from "../helpers/wsfed.ts";
import { VALIDATOR, validateStatus } from "./helpers.ts";
import { literalBasic, USER_ADMIN } from "../helpers/credentials.ts";

let lines: string[] = [];
beforeEach(() => {
  lines = [];
  const grab = (...a: unknown[]) => void lines.push(a.map(String).join(" "));
  vi.spyOn(console, "log").mockImplementation(grab);
  vi.spyOn(console, "error").mockImplementation(grab);
  vi.spyOn(console, "warn").mockImplementation(grab);
});
afterEach(() => vi.restoreAllMocks());

const audits = () => lines.filter((l) => l.includes('"event":"audit"')).map((l) => JSON.parse(l) as Record<string, unknown>);
const SECRETS = ["wonderland", "builder", "demo-secret", "rp-validator-secret", "hunter2-secret-password", "PRIVATE KEY"];

describe("audit lines under attack", () => {
  it("a UsernameToken presented for validation: the line names whose password was checked, never the password", async () => {
    const ut = `<wsse:UsernameToken xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"><wsse:Username>alice</wsse:Username><wsse:Password>hunter2-secret-password</wsse:Password></wsse:UsernameToken>`;
    await validateStatus(ut);
    const a = audits();
    expect(a).toHaveLength(1);
    expect(a[0]).toMatchObject({ operation: "wstrust.validate", requestor: "rp-validator", subject: "alice", status: 200 });
    expect(lines.join("\n")).not.toContain("hunter2");
  });

  it("one line per operation, with the documented fields, and no secret or token anywhere in the log", async () => {
    const jwt = await jwtFromTrust("bob", "builder"); // 1: issue
    lines = [];
    await trust({ user: "alice", password: "hunter2-secret-password", appliesTo: "urn:example:rp" }); // failed auth
    const e = envelope({ user: "alice", password: "hunter2-secret-password", appliesTo: "urn:example:rp" });
    await (await call("/trust/13/usernamemixed", { method: "POST", headers: e.headers, body: e.body.replace("<wsse:Password", "<wsse:Password a='1' a='2'") })).text(); // malformed XML around the password
    await validateStatus(`<wsse:BinarySecurityToken xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd" ValueType="urn:ietf:params:oauth:token-type:jwt">${btoa(jwt)}</wsse:BinarySecurityToken>`); // validate
    await exchange({ subject_token: jwt, subject_token_type: "urn:ietf:params:oauth:token-type:jwt", audience: "https://api.example.com/" }); // exchange
    await exchange({ subject_token: jwt, subject_token_type: "urn:ietf:params:oauth:token-type:jwt" }, literalBasic("demo-client", "hunter2-secret-password")); // bad client secret

    const a = audits();
    expect(a.map((x) => `${x.operation}:${x.result}`)).toEqual([
      "wstrust.issue:failure",
      "wstrust:failure",
      "wstrust.validate:success",
      "oauth.token_exchange:success",
      "oauth.token_exchange:failure",
    ]);
    for (const x of a) {
      expect(Object.keys(x).sort()).toEqual(
        ["duration_ms", "error", "event", "operation", "outcome", "reason", "requestor", "result", "status", "subject", "target", "token_id_hash", "ts"],
      );
      expect(typeof x.duration_ms).toBe("number");
    }
    expect(a[0]!.error).toBe("authentication_failed");
    expect(a[0]!.requestor).toBe("alice");
    expect(a[2]!.subject).toBe("bob");
    expect(a[2]!.token_id_hash).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const all = lines.join("\n");
    for (const s of SECRETS) expect(all, s).not.toContain(s);
    expect(all).not.toContain(jwt.split(".")[1]!); // no token
    expect(all).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/); // no JWT-looking value at all
    expect(all).not.toContain("<saml");
  });

  it("an RST refused after its RequestType was read is logged under its kind, with no requestor (nothing was authenticated)", async () => {
    const sent: RstOptions[] = [
      { user: "alice", password: "wonderland", appliesTo: "urn:example:rp", tokenType: "urn:example:no-such-token-type" },
      { user: "alice", password: "wonderland", appliesTo: "urn:example:rp", extra: "<wst:KeySize>many</wst:KeySize>" },
      { user: "alice", password: "wonderland", requestType: "Validate", tokenType: "urn:example:no-such-token-type" },
      { user: "alice", password: "wonderland", trust: "2005", requestType: "Cancel", tokenType: "urn:example:no-such-token-type" },
      { user: "alice", password: "wonderland", body: rstXml({ appliesTo: "urn:example:rp" }).replace(`${NS.t13}/Issue<`, `${NS.t13}/NoSuchRequest<`) },
    ];
    for (const o of sent) expect((await trust(o)).status).toBe(400);
    const a = audits();
    expect(a.map((x) => [x.operation, x.requestor, x.error])).toEqual([
      ["wstrust.issue", null, "invalid_request"],
      ["wstrust.issue", null, "invalid_request"],
      ["wstrust.validate", null, "invalid_request"],
      ["wstrust.cancel", null, "invalid_request"],
      // An unknown RequestType names no kind.
      ["wstrust", null, "invalid_request"],
    ]);
    expect(a.map((x) => x.reason)).toEqual([
      "Unsupported wst:TokenType 'urn:example:no-such-token-type'.",
      expect.stringContaining("wst:KeySize"),
      "Unsupported wst:TokenType 'urn:example:no-such-token-type'.",
      "Unsupported wst:TokenType 'urn:example:no-such-token-type'.",
      expect.stringContaining("Unsupported wst:RequestType"),
    ]);
  });

  it("a Username longer than any account's is refused as an unknown name is, before the audit line (or a counter) takes it", async () => {
    const long = "n".repeat(300_000);
    const unknown = await trust({ user: "nobody-here", password: "hunter2-secret-password", appliesTo: "urn:example:rp" });
    lines = [];
    const r = await trust({ user: long, password: "hunter2-secret-password", appliesTo: "urn:example:rp" });
    // The same answer as for a name nobody has; the name was never an account's to guess at.
    expect(r.status).toBe(unknown.status);
    expect(r.text.replace(/<a:RelatesTo>[^<]*<\/a:RelatesTo>/, "")).toBe(unknown.text.replace(/<a:RelatesTo>[^<]*<\/a:RelatesTo>/, ""));
    const a = audits();
    expect(a).toHaveLength(1);
    expect(a[0]).toMatchObject({ operation: "wstrust.issue", result: "failure", error: "authentication_failed", requestor: null });
    expect(lines.join("\n").length).toBeLessThan(2_000);
    // The longest name an account can have still signs in as far as its password allows.
    const longest = `${"n".repeat(248)}${crypto.randomUUID().slice(0, 8)}`;
    expect((await call("/admin/users", { method: "POST", headers: { authorization: USER_ADMIN, "content-type": "application/json" }, body: JSON.stringify({ username: longest, password: "longest-name-pw-1" }) })).status).toBe(201);
    const r256 = await trust({ user: longest, password: "hunter2-secret-password", appliesTo: "urn:example:rp" });
    expect(r256.status).toBe(unknown.status);
    expect(audits().at(-1)!.requestor).toBe(longest);
  });

  it("a password typed into the name field never reaches the log: a name no account has is not kept", async () => {
    const form = { subject_token: "x", subject_token_type: "urn:ietf:params:oauth:token-type:jwt", audience: "https://api.example.com/" };
    await trust({ user: "hunter2-typed-as-name", password: "alice", appliesTo: "urn:example:rp" }); // WS-Trust UsernameToken
    await validateStatus(`<wsse:UsernameToken xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"><wsse:Username>hunter2-typed-as-name</wsse:Username><wsse:Password>alice</wsse:Password></wsse:UsernameToken>`);
    const { fields, browser: b } = await signInForm({ wtrealm: RP });
    expect((await b.post({ ...fields, username: "hunter2-typed-as-name", password: "alice" })).status).toBe(401); // browser sign-in
    expect((await exchange({ ...form, client_id: "hunter2-typed-as-name", client_secret: "demo-client" }, null)).status).toBe(401); // client_secret_post
    expect((await exchange(form, literalBasic("hunter2-typed-as-name", "demo-client"))).status).toBe(401); // client_secret_basic
    const admin = await call("/admin/revoke-subject", { method: "POST", headers: { authorization: "Basic " + btoa("hunter2-typed-as-name:sts-admin"), "content-type": "application/json" }, body: "{}" });
    expect(admin.status).toBe(401);
    // A name an account has is kept when its password fails: which account failed is what an operator acts on.
    await trust({ user: "bob", password: "hunter2-secret-password", appliesTo: "urn:example:rp" });
    const a = audits();
    expect(a.map((x) => [x.operation, x.result, x.requestor, x.subject])).toEqual([
      ["wstrust.issue", "failure", null, null],
      ["wstrust.validate", "success", "rp-validator", null],
      ["wsfed.signin", "failure", null, null],
      ["oauth.token_exchange", "failure", null, null],
      ["oauth.token_exchange", "failure", null, null],
      ["admin.revoke_subject", "failure", null, null],
      ["wstrust.issue", "failure", "bob", null],
    ]);
    expect(lines.join("\n")).not.toContain("hunter2");
  });

  // The limiter refuses an attempt before its password is checked, so before the name is ever
  // looked up: the name is kept only when configuration holds an account of that name.
  it("a name no account has is not kept on a line refused by the failed-authentication limit either, at every door", async () => {
    const typed = `hunter2-typed-as-name-${crypto.randomUUID().slice(0, 8)}`;
    for (let i = 0; i < 10; i++) await trust({ user: typed, password: "alice", appliesTo: "urn:example:rp" });
    lines = [];
    expect((await trust({ user: typed, password: "alice", appliesTo: "urn:example:rp" })).status).toBe(429); // WS-Trust UsernameToken
    await validateStatus(`<wsse:UsernameToken xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"><wsse:Username>${typed}</wsse:Username><wsse:Password>alice</wsse:Password></wsse:UsernameToken>`);
    const { fields, browser: b } = await signInForm({ wtrealm: RP });
    await b.post({ ...fields, username: typed, password: "alice" }); // browser sign-in
    const admin = await call("/admin/revoke-subject", { method: "POST", headers: { authorization: "Basic " + btoa(`${typed}:sts-admin`), "content-type": "application/json" }, body: "{}" });
    expect(admin.status).toBe(429);
    const a = audits();
    expect(a.map((x) => [x.operation, x.error, x.requestor, x.subject])).toEqual([
      ["wstrust.issue", "rate_limited", null, null],
      ["wstrust.validate", "rate_limited", "rp-validator", null], // the presented UsernameToken's subject
      ["wsfed.signin", "rate_limited", null, null],
      ["admin.revoke_subject", "rate_limited", null, null],
    ]);
    expect(lines.join("\n")).not.toContain("hunter2");
  });

  it("a failed client or admin authentication names who was claimed, unless the name is longer than any account's", async () => {
    const jwt = await jwtFromTrust("bob", "builder");
    lines = [];
    const form = { subject_token: jwt, subject_token_type: "urn:ietf:params:oauth:token-type:jwt", audience: "https://api.example.com/" };
    expect((await exchange(form, literalBasic("demo-client", "hunter2-secret-password"))).status).toBe(401);
    expect((await exchange({ ...form, client_id: "demo-client", client_secret: "hunter2-secret-password" }, null)).status).toBe(401);
    const introspect = (auth: string) =>
      call("/oauth2/introspect", { method: "POST", headers: { authorization: auth, "content-type": "application/x-www-form-urlencoded" }, body: "token=x" });
    expect((await introspect("Basic " + btoa("no-such-client:hunter2-secret-password"))).status).toBe(401);
    expect((await introspect("Basic " + btoa(`${"c".repeat(257)}:hunter2-secret-password`))).status).toBe(401);
    const revoke = (user: string) =>
      call("/admin/revoke-subject", {
        method: "POST",
        headers: { authorization: "Basic " + btoa(`${user}:hunter2-secret-password`), "content-type": "application/json" },
        body: JSON.stringify({ subject: "bob" }),
      });
    expect((await revoke("sts-admin")).status).toBe(401);
    expect((await revoke("u".repeat(257))).status).toBe(401);
    const a = audits();
    expect(a.map((x) => [x.operation, x.status, x.error, x.requestor])).toEqual([
      ["oauth.token_exchange", 401, "invalid_client", "demo-client"],
      ["oauth.token_exchange", 401, "invalid_client", "demo-client"],
      ["oauth.introspect", 401, "invalid_client", null], // no client has this id
      ["oauth.introspect", 401, "invalid_client", null],
      ["admin.revoke_subject", 401, "authentication_failed", "sts-admin"],
      ["admin.revoke_subject", 401, "authentication_failed", null],
    ]);
    expect(lines.join("\n")).not.toContain("hunter2");
  });

  it("a batch: one line whose items name each item's operation, subject, token and result (a batch may cancel several subjects' tokens)", async () => {
    const token = async (user: string, password: string) => /<saml:Assertion[\s\S]*?<\/saml:Assertion>/.exec((await trust({ user, password, appliesTo: "urn:example:rp" })).text)![0];
    const [alice, bob] = [await token("alice", "wonderland"), await token("bob", "builder")];
    lines = [];
    const item = (inner: string) => `<wst:RequestSecurityToken><wst:RequestType>${NS.t13}/BatchCancel</wst:RequestType>${inner}</wst:RequestSecurityToken>`;
    const body = `<wst:RequestSecurityTokenCollection xmlns:wst="${NS.t13}">${item(`<wst:CancelTarget>${alice}</wst:CancelTarget>`)}${item(`<wst:CancelTarget>${bob}</wst:CancelTarget>`)}${item("")}<wst:RequestSecurityToken><wst:RequestType>${NS.t13}/BatchBogus</wst:RequestType></wst:RequestSecurityToken></wst:RequestSecurityTokenCollection>`;
    expect((await trust({ ...VALIDATOR, requestType: "Cancel", body })).status).toBe(200);
    const a = audits();
    expect(a).toHaveLength(1);
    expect(a[0]).toMatchObject({ operation: "wstrust.batch", requestor: "rp-validator", result: "success" });
    const items = a[0]!.items as Record<string, unknown>[];
    // Each item says what it did: a line holding a token's hash must tell a Cancel from a Validate.
    expect(items.map((i) => [i.operation, i.subject, i.target, i.result, i.error])).toEqual([
      ["wstrust.cancel", "alice", "urn:example:rp", "success", null],
      ["wstrust.cancel", "bob", "urn:example:rp", "success", null],
      ["wstrust.cancel", null, null, "failure", "invalid_request"],
      ["wstrust", null, null, "failure", "invalid_request"],
    ]);
    expect(items[0]!.token_id_hash).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(items[1]!.token_id_hash).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(items[1]!.token_id_hash).not.toBe(items[0]!.token_id_hash);
    expect(lines.join("\n")).not.toContain("<saml");
  });

  it("browser sign-in: one line per sign-in, refusal and sign-out, naming the application and why, never the password", async () => {
    const ok = await signIn({ wtrealm: RP }, "alice", "wonderland"); // success: a token posted
    expect(ok.status).toBe(200);
    const { fields, browser: b } = await signInForm({ wtrealm: RP });
    expect((await b.post({ ...fields, username: "alice", password: "hunter2-secret-password" })).status).toBe(401); // wrong password
    expect((await get({ wa: "wsignin1.0", wtrealm: RP, wreply: "https://evil.example/" })).status).toBe(400); // unregistered wreply
    expect((await post({ ...fields, username: "alice", password: "wonderland" })).status).toBe(403); // posted without the form's browser cookie
    const big = await post({ wa: "wsignin1.0", pad: "x".repeat(1_100_000) }); // over the form limit, before wa is read
    expect(big.status).toBe(413);
    const f = await signInForm({ wtrealm: RP });
    expect((await f.browser.post({ ...f.fields, username: "bob", password: "builder" })).status).toBe(200);
    expect((await f.browser.get({ wa: "wsignout1.0" })).status).toBe(200); // sign-out of bob's session

    const a = audits().filter((x) => String(x.operation).startsWith("wsfed"));
    expect(a.map((x) => `${x.operation}:${x.result}:${x.status}`)).toEqual([
      "wsfed.signin:success:200",
      "wsfed.signin:failure:401",
      "wsfed.signin:failure:400",
      "wsfed.signin:failure:403",
      "wsfed:failure:413",
      "wsfed.signin:success:200",
      "wsfed.signout:success:200",
    ]);
    expect(a[0]).toMatchObject({ requestor: "alice", subject: "alice", target: RP });
    expect(a[1]).toMatchObject({ requestor: "alice", error: "authentication_failed", target: RP });
    expect(a[2]).toMatchObject({ target: RP, error: "invalid_request", reason: "wreply is not a registered reply address of this application. Sent: 'https://evil.example/'." });
    expect(a[3]!.error).toBe("not_authorized");
    expect(a[4]).toMatchObject({ error: "payload_too_large", reason: "The request body exceeds the limit of 1048576 bytes." });
    expect(a[6]!.requestor).toBe("bob");
    const all = lines.join("\n");
    for (const x of SECRETS) expect(all, x).not.toContain(x);
  });

  it("a sign-in refused for its wtrealm, wreply or whr: the line quotes what was sent (at most 200 characters), the page does not", async () => {
    const unknown = `urn:example:rp/${"z".repeat(300)}`;
    const cases: [Record<string, string>, string][] = [
      [{ wtrealm: "urn:example:rp/" }, "This application is not registered for browser sign-in. Sent: 'urn:example:rp/'."],
      [{ wtrealm: unknown }, `This application is not registered for browser sign-in. Sent: '${unknown.slice(0, 200)}…'.`],
      [{ wtrealm: RP, wreply: "http://127.0.0.1:9780/wsfed/" }, "wreply is not a registered reply address of this application. Sent: 'http://127.0.0.1:9780/wsfed/'."],
      [{ wtrealm: RP, whr: "urn:example:no-such-idp" }, "whr names a home realm this service does not sign in for. Sent: 'urn:example:no-such-idp'."],
    ];
    for (const [p, reason] of cases) {
      lines = [];
      const r = await get({ wa: "wsignin1.0", ...p });
      expect(r.status).toBe(400);
      const page = await r.text();
      expect(audits().map((x) => x.reason)).toEqual([reason]);
      for (const v of Object.values(p).filter((v) => v !== RP)) expect(page).not.toContain(v);
    }
  });
});
