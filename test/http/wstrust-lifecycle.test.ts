import type { Document } from "@xmldom/xmldom";
import { describe, expect, it } from "vitest";
import { env } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { NS, TT, envelope } from "../helpers/soap.ts";
import { byTag, faultCode, trust } from "../helpers/worker.ts";

const validator = { user: "rp-validator", password: "rp-validator-secret-0f1e2d3c4b5a6978" };
const STATUS_VALID = `${NS.t13}/status/valid`;
const STATUS_INVALID = `${NS.t13}/status/invalid`;

/** Issues a token for alice and returns the raw token XML (SAML) or BST (JWT) to put in a target. */
async function issue(tokenType = TT.saml2, appliesTo = "urn:example:rp"): Promise<string> {
  const r = await trust({ user: "alice", password: "wonderland", appliesTo, tokenType });
  expect(r.status).toBe(200);
  return tokenIn(r.text)!;
}

function target(kind: "Validate" | "Renew" | "Cancel", token: string, extra = ""): string {
  return `<wst:${kind}Target>${token}</wst:${kind}Target>${extra}`;
}

async function validate(token: string, who = validator, tokenType = `${NS.t13}/RSTR/Status`) {
  return trust({ ...who, requestType: "Validate", tokenType, extra: target("Validate", token) });
}

function statusCode(text: string): string | undefined {
  return /<wst:Code>([^<]+)<\/wst:Code>/.exec(text)?.[1];
}

/** The app with another configuration and the same state: a request's reply text. */
async function worker(config: object) {
  const { app } = await import("../../src/http/app.ts");
  const { DEV_SECRETS } = await import("../../src/config/dev.ts");
  const e2 = { TOKEN_STATE: env.TOKEN_STATE, REPLAY_CACHE: env.REPLAY_CACHE, USERS_DB: env.USERS_DB, ...DEV_SECRETS, STS_CONFIG: JSON.stringify(config) };
  const exec = { waitUntil() {}, passThroughOnException() {}, props: {} } as unknown as ExecutionContext;
  return async (o: Parameters<typeof envelope>[0]) => {
    const m = envelope(o);
    const res = await app.fetch(new Request("http://127.0.0.1:8787/trust/13/usernamemixed", { method: "POST", headers: m.headers, body: m.body }), e2, exec);
    return res.text();
  };
}

/** The token in a reply: a SAML assertion, or a JWT's BinarySecurityToken (as a target takes it). */
function tokenIn(text: string): string | undefined {
  return (/<saml:Assertion[\s\S]*?<\/saml:Assertion>/.exec(text) ?? /<wsse:BinarySecurityToken[\s\S]*?<\/wsse:BinarySecurityToken>/.exec(text))?.[0];
}

describe("WS-Trust Validate", () => {
  for (const tt of [TT.saml2, TT.saml1] as const) {
    it(`reports a fresh ${tt.slice(-7)} token valid`, async () => {
      const r = await validate(await issue(tt));
      expect(r.status).toBe(200);
      expect(statusCode(r.text)).toBe(STATUS_VALID);
    });
  }

  it("reports a fresh JWT valid", async () => {
    const bst = await issue(TT.jwt, "https://api.example.com/");
    const r = await validate(bst);
    expect(statusCode(r.text)).toBe(STATUS_VALID);
  });

  // WS-Trust 1.3 §7 with wsp:AppliesTo: is the token good for this relying party?
  it("with AppliesTo: valid for the token's own party, invalid for another; a party not configured is refused", async () => {
    const cases = [
      { tok: await issue(), own: "urn:example:rp", other: "https://api.example.com/" },
      { tok: await issue(TT.jwt, "https://api.example.com/"), own: "https://api.example.com", other: "urn:example:rp" },
    ];
    for (const { tok, own, other } of cases) {
      const status = (appliesTo: string) => trust({ ...validator, requestType: "Validate", tokenType: `${NS.t13}/RSTR/Status`, appliesTo, extra: target("Validate", tok) });
      expect(statusCode((await status(own)).text), own).toBe(STATUS_VALID);
      const elsewhere = await status(other);
      expect(statusCode(elsewhere.text), other).toBe(STATUS_INVALID);
      expect(elsewhere.text).toContain(`The token was issued for another party, not for '${other}'.`);
      const unknown = await status("urn:not-configured");
      expect(faultCode(unknown.text)).toBe("wst:InvalidScope");
      expect(unknown.text).toContain("No relying party is configured for 'urn:not-configured'.");
    }
  });

  it("reports a token with one changed byte invalid", async () => {
    const tok = await issue();
    const tampered = tok.replace(">alice<", ">alicf<");
    expect(tampered).not.toBe(tok);
    const r = await validate(tampered);
    expect(r.status).toBe(200);
    expect(statusCode(r.text)).toBe(STATUS_INVALID);
  });

  it("lets the subject validate its own token but not bob validate alice's", async () => {
    const tok = await issue();
    expect(statusCode((await validate(tok, { user: "alice", password: "wonderland" })).text)).toBe(STATUS_VALID);
    const r = await validate(tok, { user: "bob", password: "builder" });
    expect(faultCode(r.text)).toBe("wst:RequestFailed");
  });

  it("lets the subject transform its own SAML 2.0 token into SAML 1.1 and JWT", async () => {
    const tok = await issue();
    const alice = { user: "alice", password: "wonderland" };
    const r1 = await validate(tok, alice, TT.saml1);
    expect(r1.status).toBe(200);
    expect(r1.text).toContain(NS.saml1);
    const r2 = await trust({ ...alice, requestType: "Validate", tokenType: TT.jwt, appliesTo: "https://api.example.com/", extra: target("Validate", tok) });
    expect(r2.status).toBe(200);
    expect(r2.text).toContain(TT.jwt);
  });

  // WS-Security 1.1 §6.3: Base64Binary is the one encoding read; a JWT sent HexBinary is refused
  // for its encoding, not read as base64 and called a malformed token.
  it("refuses a JWT BinarySecurityToken whose EncodingType is not Base64Binary, naming the encoding", async () => {
    const bst = await issue(TT.jwt);
    const jwt = atob(/>([^<]+)</.exec(bst)![1]!);
    const hex = Array.from(new TextEncoder().encode(jwt), (b) => b.toString(16).padStart(2, "0")).join("");
    const hexBst = `<wsse:BinarySecurityToken xmlns:wsse="${NS.wsse}" ValueType="${TT.jwt}" EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#HexBinary">${hex}</wsse:BinarySecurityToken>`;
    for (const r of [await validate(hexBst), await trust({ ...validator, requestType: "Cancel", extra: target("Cancel", hexBst) })]) {
      expect(faultCode(r.text)).toBe("wst:InvalidRequest");
      expect(r.text).toContain("The BinarySecurityToken must be Base64Binary.");
    }
    expect(statusCode((await validate(bst)).text)).toBe(STATUS_VALID);
  });

  // WS-Trust 1.3 §7: every Validate response states the presented token's status; Apache CXF's
  // STSClient.validateSecurityToken throws VALIDATION_FAILED on a transformation answer without one.
  for (const trustVersion of ["13", "2005"] as const) {
    it(`states wst:Status valid beside a transformed token (WS-Trust ${trustVersion}), and a status-only Validate returns no token`, async () => {
      const ns = trustVersion === "13" ? NS.t13 : NS.t05;
      const alice = { user: "alice", password: "wonderland", trust: trustVersion };
      const tok = await issue();
      for (const [tokenType, appliesTo] of [[TT.saml1, "urn:example:rp"], [TT.jwt, "https://api.example.com/"]] as const) {
        const r = await trust({ ...alice, requestType: "Validate", tokenType, appliesTo, extra: target("Validate", tok) });
        expect(r.status, tokenType).toBe(200);
        const rstr = byTag(r.doc, ns, "RequestSecurityTokenResponse");
        expect(rstr).toHaveLength(1);
        expect(byTag(rstr[0]!, ns, "RequestedSecurityToken")).toHaveLength(1);
        const status = byTag(rstr[0]!, ns, "Status");
        expect(status, tokenType).toHaveLength(1);
        expect(byTag(status[0]!, ns, "Code")[0]?.textContent).toBe(`${ns}/status/valid`);
        expect(byTag(status[0]!, ns, "Reason")[0]?.textContent).toBe("The token is valid.");
      }
      const s = await trust({ ...alice, requestType: "Validate", tokenType: `${ns}/RSTR/Status`, extra: target("Validate", tok) });
      expect(byTag(s.doc, ns, "Code")[0]?.textContent).toBe(`${ns}/status/valid`);
      expect(byTag(s.doc, ns, "RequestedSecurityToken")).toHaveLength(0);
    });
  }

  // A transformation is an issuance for the target relying party: the right to validate is not
  // the right to obtain tokens.
  it("refuses a transformation by a service account that may validate but not issue", async () => {
    const tok = await issue();
    for (const [tokenType, appliesTo] of [[TT.jwt, "https://api.example.com/"], [TT.saml1, undefined], [TT.jwt, undefined]] as const) {
      const r = await trust({ ...validator, requestType: "Validate", tokenType, ...(appliesTo ? { appliesTo } : {}), extra: target("Validate", tok) });
      expect(faultCode(r.text), `${tokenType} for ${appliesTo ?? "the same RP"}`).toBe("wst:RequestFailed");
      expect(r.text).not.toContain("BinarySecurityToken");
      expect(r.text).not.toContain(NS.saml1);
    }
    // The same caller still validates the token's status.
    expect(statusCode((await validate(tok)).text)).toBe(STATUS_VALID);
  });

  it("refuses bob transforming alice's token", async () => {
    const tok = await issue();
    const r = await trust({ user: "bob", password: "builder", requestType: "Validate", tokenType: TT.jwt, appliesTo: "https://api.example.com/", extra: target("Validate", tok) });
    expect(faultCode(r.text)).toBe("wst:RequestFailed");
    expect(r.text).not.toContain("BinarySecurityToken");
  });
});

describe("WS-Trust Cancel", () => {
  it("cancels; afterwards Validate says invalid; cancel again is idempotent", async () => {
    const tok = await issue();
    const c = await trust({ ...validator, requestType: "Cancel", extra: target("Cancel", tok) });
    expect(c.status).toBe(200);
    expect(byTag(c.doc, NS.t13, "RequestedTokenCancelled")).toHaveLength(1);
    const v = await validate(tok);
    expect(statusCode(v.text)).toBe(STATUS_INVALID);
    expect(v.text).toContain("revoked");
    const again = await trust({ ...validator, requestType: "Cancel", extra: target("Cancel", tok) });
    expect(again.status).toBe(200);
  });

  it("refuses to cancel a forged token", async () => {
    const tok = (await issue()).replace(">alice<", ">bob<");
    const c = await trust({ ...validator, requestType: "Cancel", extra: target("Cancel", tok) });
    expect(faultCode(c.text)).toBe("wst:InvalidSecurityToken");
  });
});

describe("WS-Trust Renew", () => {
  it("renews once into a new token with a new ID; the second renewal is refused", async () => {
    const tok = await issue();
    const id = /ID="([^"]+)"/.exec(tok)![1];
    const r = await trust({ ...validator, requestType: "Renew", extra: target("Renew", tok) });
    expect(r.status).toBe(200);
    const renewed = /<saml:Assertion[\s\S]*?<\/saml:Assertion>/.exec(r.text)![0];
    const newId = /ID="([^"]+)"/.exec(renewed)![1];
    expect(newId).not.toBe(id);
    expect(renewed).toContain(">alice<");
    expect(statusCode((await validate(renewed)).text)).toBe(STATUS_VALID);
    const again = await trust({ ...validator, requestType: "Renew", extra: target("Renew", tok) });
    expect(faultCode(again.text)).toBe("wst:UnableToRenew");
    // Reuse revoked the whole family, the renewed token included.
    expect(statusCode((await validate(renewed)).text)).toBe(STATUS_INVALID);
  });

  it("8 concurrent renewals of one token: exactly one succeeds", async () => {
    const tok = await issue();
    const results = await Promise.all(
      Array.from({ length: 8 }, () => trust({ ...validator, requestType: "Renew", extra: target("Renew", tok) })),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    for (const r of results.filter((x) => x.status !== 200)) expect(faultCode(r.text)).toBe("wst:UnableToRenew");
  });

  // WS-Trust 1.3 §7.4: a renewal keeps the token's type, relying party and proof key; a request
  // asking for another is refused, not answered with the unchanged token.
  it("refuses a TokenType, AppliesTo or KeyType other than the token's own, naming it; the token's own are fine", async () => {
    const tok = await issue();
    const refused: [Parameters<typeof trust>[0], string, string][] = [
      [{ tokenType: TT.saml1 }, "wst:InvalidRequest", "wst:TokenType asks for a saml1 token, but the token to renew is a saml2 token"],
      [{ tokenType: `${NS.t13}/RSTR/Status` }, "wst:InvalidRequest", "wst:TokenType: the Status token type is only valid for Validate."],
      [{ appliesTo: "https://api.example.com/" }, "wst:InvalidRequest", "wsp:AppliesTo names 'https://api.example.com/', but the token to renew is for 'urn:example:rp'"],
      [{ appliesTo: "urn:not-configured" }, "wst:InvalidScope", "No relying party is configured for 'urn:not-configured'."],
      [{ keyType: `${NS.t13}/SymmetricKey` }, "wst:InvalidRequest", "wst:KeyType asks for a symmetric token, but the token to renew is a bearer token"],
    ];
    for (const [asked, code, reason] of refused) {
      const r = await trust({ ...validator, requestType: "Renew", ...asked, extra: target("Renew", tok) });
      expect(faultCode(r.text), reason).toBe(code);
      expect(r.text).toContain(reason);
    }
    // Nothing was renewed behind the refusals; the token's own type, party and key type renew it.
    const own = await trust({ ...validator, requestType: "Renew", tokenType: "urn:oasis:names:tc:SAML:2.0:assertion", appliesTo: "urn:example:rp", keyType: `${NS.t13}/Bearer`, extra: target("Renew", tok) });
    expect(own.status, own.text).toBe(200);
    expect(tokenIn(own.text)).toContain(">alice<");
  });

  // Apache CXF's STSClient sends every Renew with an AppliesTo naming the STS endpoint the token
  // came from (AbstractSTSClient.renew: tok.getIssuerAddress()), not a relying party.
  it("renews with an AppliesTo naming the WS-Trust endpoint itself, as Apache CXF's client sends it; another of our paths is still no party", async () => {
    for (const trustVersion of ["13", "2005"] as const) {
      const tok = await issue();
      const here = `http://127.0.0.1:8787/trust/${trustVersion}/usernamemixed`;
      const r = await trust({ ...validator, trust: trustVersion, requestType: "Renew", appliesTo: here, extra: target("Renew", tok) });
      expect(r.status, r.text).toBe(200);
      expect(tokenIn(r.text)).toContain(">alice<");
      expect(r.text).toContain("<wsa:Address>urn:example:rp</wsa:Address>");
    }
    const other = await trust({ ...validator, requestType: "Renew", appliesTo: "http://127.0.0.1:8787/trust/mex", extra: target("Renew", await issue()) });
    expect(faultCode(other.text)).toBe("wst:InvalidScope");
  });

  it("refuses a Cancel naming the Status token type, and cancels nothing", async () => {
    const tok = await issue();
    const r = await trust({ ...validator, requestType: "Cancel", tokenType: `${NS.t13}/RSTR/Status`, extra: target("Cancel", tok) });
    expect(faultCode(r.text)).toBe("wst:InvalidRequest");
    expect(r.text).toContain("wst:TokenType: the Status token type is only valid for Validate.");
    expect(statusCode((await validate(tok)).text)).toBe(STATUS_VALID);
  });

  it("refuses to renew a cancelled token", async () => {
    const tok = await issue();
    await trust({ ...validator, requestType: "Cancel", extra: target("Cancel", tok) });
    const r = await trust({ ...validator, requestType: "Renew", extra: target("Renew", tok) });
    expect(faultCode(r.text)).toBe("wst:UnableToRenew");
  });
});

describe("a request whose token is not where its operation reads it", () => {
  it("is refused naming the element the token goes in", async () => {
    const tok = await issue();
    const cases: ["Validate" | "Renew" | "Cancel", string, string][] = [
      ["Renew", target("Validate", tok), "wst:RenewTarget"],
      ["Validate", target("Renew", tok), "wst:ValidateTarget"],
      ["Cancel", target("Validate", tok), "wst:CancelTarget"],
      ["Cancel", "", "wst:CancelTarget"],
    ];
    for (const [requestType, extra, place] of cases) {
      const r = await trust({ ...validator, requestType, tokenType: requestType === "Validate" ? `${NS.t13}/RSTR/Status` : undefined, extra });
      expect(faultCode(r.text), `${requestType} ${place}`).toBe("wst:InvalidRequest");
      expect(r.text.toLowerCase()).toContain(`the request must carry its token in ${place.toLowerCase()}.`);
    }
    // Nothing was cancelled or renewed by the misplaced requests.
    expect(statusCode((await validate(tok)).text)).toBe(STATUS_VALID);
  });

  it("a target element of another request type is refused, not passed over, in every WS-Trust version", async () => {
    const tok = await issue();
    for (const version of ["13", "2005"] as const) {
      for (const kind of ["Cancel", "Renew", "Validate"] as const) {
        // An Issue naming a token to act on: answering it with a fresh token would hand the
        // requestor what it did not ask for (and leave the token it meant to end alive).
        const r = await trust({ user: "alice", password: "wonderland", appliesTo: "urn:example:rp", trust: version, extra: target(kind, tok) });
        expect([r.status, faultCode(r.text)], `${version} Issue + ${kind}Target`).toEqual([400, "wst:InvalidRequest"]);
        expect(r.text).toContain(`wst:${kind}Target belongs to a ${kind} request, not to this Issue: an Issue acts on no token of its own.`);
        expect(r.text).not.toContain("RequestedSecurityToken");
      }
    }
    // Beside the request's own target, another one is refused too: which did the requestor mean?
    const both = await trust({ ...validator, requestType: "Renew", extra: target("Renew", tok, target("Cancel", tok)) });
    expect(faultCode(both.text)).toBe("wst:InvalidRequest");
    expect(both.text).toContain("wst:CancelTarget belongs to a Cancel request, not to this Renew: the request must carry its token in wst:RenewTarget.");
    const status = await trust({ ...validator, requestType: "Validate", tokenType: `${NS.t13}/RSTR/Status`, extra: target("Validate", tok, target("Renew", tok)) });
    expect(status.text).toContain("wst:RenewTarget belongs to a Renew request, not to this Validate");
    // Neither refused request renewed or cancelled the token.
    expect(statusCode((await validate(tok)).text)).toBe(STATUS_VALID);
    const renewed = await trust({ ...validator, requestType: "Renew", extra: target("Renew", tok) });
    expect(renewed.status).toBe(200);
  });

  it("OnBehalfOf or ActAs on a Validate, Renew or Cancel is refused naming it, never passed over; in a batch, for that item", async () => {
    const tok = await issue();
    const bob = tokenIn((await trust({ user: "bob", password: "builder", appliesTo: "urn:example:rp" })).text)!;
    const delegations = [
      ["wst:OnBehalfOf", `<wst:OnBehalfOf>${bob}</wst:OnBehalfOf>`],
      ["wst14:ActAs", `<wst14:ActAs xmlns:wst14="http://docs.oasis-open.org/ws-sx/ws-trust/200802">${bob}</wst14:ActAs>`],
    ] as const;
    for (const version of ["13", "2005"] as const) {
      const ns = version === "13" ? NS.t13 : NS.t05;
      for (const [name, el] of delegations) {
        const cases = [
          ["Validate", "validate", { tokenType: `${ns}/RSTR/Status` }],
          ["Validate", "validate", { tokenType: TT.saml1, appliesTo: "urn:example:rp" }],
          ["Renew", "renew", {}],
          ["Cancel", "cancel", {}],
        ] as const;
        for (const [kind, verb, more] of cases) {
          const r = await trust({ ...validator, ...more, trust: version, requestType: kind, extra: target(kind, tok, el) });
          expect([r.status, faultCode(r.text)], `${version} ${kind} + ${name}`).toEqual([400, "wst:InvalidRequest"]);
          expect(r.text).toContain(`${name} is read only in an Issue request: this STS does not ${verb} a token on behalf of another party.`);
        }
      }
    }
    // A batch item carrying one fails alone; the item beside it (another token: a token sent
    // twice in one message is refused as such) runs.
    const item = (kind: "Cancel" | "Validate", extra: string, ctx: string, t = tok) =>
      `<wst:RequestSecurityToken Context="${ctx}"><wst:RequestType>${NS.t13}/Batch${kind}</wst:RequestType>${target(kind, t, extra)}</wst:RequestSecurityToken>`;
    const rstc = (items: string) => `<wst:RequestSecurityTokenCollection xmlns:wst="${NS.t13}">${items}</wst:RequestSecurityTokenCollection>`;
    const batch = await trust({ ...validator, requestType: "Validate", body: rstc(item("Validate", delegations[0][1], "delegated") + item("Validate", "", "plain", await issue())) });
    expect(byTag(batch.doc, NS.t13, "Code").map((c) => c.textContent)).toEqual([STATUS_INVALID, STATUS_VALID]);
    expect(batch.text).toContain("wst:OnBehalfOf is read only in an Issue request");
    const cancel = await trust({ ...validator, requestType: "Cancel", body: rstc(item("Cancel", delegations[1][1], "delegated")) });
    expect(cancel.text).toContain("wst14:ActAs is read only in an Issue request: this STS does not cancel a token on behalf of another party.");
    // None of the refused requests cancelled or renewed the token: it is valid and renews once, now.
    expect(statusCode((await validate(tok)).text)).toBe(STATUS_VALID);
    const renewed = await trust({ ...validator, requestType: "Renew", extra: target("Renew", tok) });
    expect(renewed.status).toBe(200);
  });

  it("a token reference or an unknown element names the element it stands in", async () => {
    const str = await trust({ ...validator, requestType: "Renew", extra: `<wst:RenewTarget><wsse:SecurityTokenReference/></wst:RenewTarget>` });
    expect(str.text).toContain("Token references are not supported: send the token itself in wst:RenewTarget.");
    const obo = await trust({ user: "alice", password: "wonderland", appliesTo: "urn:example:rp", extra: `<wst:OnBehalfOf><x:Thing xmlns:x="urn:x"/></wst:OnBehalfOf>` });
    expect(obo.text).toContain("Unsupported token 'Thing' in wst:OnBehalfOf.");
  });
});

describe("WS-Trust Batch", () => {
  it("BatchValidate of two tokens → one RSTRC with two valid RSTRs", async () => {
    const a = await issue();
    const b = await issue(TT.saml1);
    const item = (tok: string, ctx: string) =>
      `<wst:RequestSecurityToken Context="${ctx}"><wst:TokenType>${NS.t13}/RSTR/Status</wst:TokenType>` +
      `<wst:RequestType>${NS.t13}/BatchValidate</wst:RequestType>${target("Validate", tok)}</wst:RequestSecurityToken>`;
    const body = `<wst:RequestSecurityTokenCollection xmlns:wst="${NS.t13}">${item(a, "a")}${item(b, "b")}</wst:RequestSecurityTokenCollection>`;
    const r = await trust({ ...validator, requestType: "Validate", body });
    expect(r.status).toBe(200);
    expect(byTag(r.doc, NS.t13, "RequestSecurityTokenResponseCollection")).toHaveLength(1);
    const rstrs = byTag(r.doc, NS.t13, "RequestSecurityTokenResponse");
    expect(rstrs.map((x) => x.getAttribute("Context"))).toEqual(["a", "b"]);
    expect(byTag(r.doc, NS.t13, "Code").map((c) => c.textContent)).toEqual([STATUS_VALID, STATUS_VALID]);
  });

  it("a token named by two items is refused in both as sent twice, not as a bad signature; alone it is valid", async () => {
    const tok = await issue();
    const id = /ID="([^"]+)"/.exec(tok)![1]!;
    const item = (ctx: string) =>
      `<wst:RequestSecurityToken Context="${ctx}"><wst:TokenType>${NS.t13}/RSTR/Status</wst:TokenType>` +
      `<wst:RequestType>${NS.t13}/BatchValidate</wst:RequestType>${target("Validate", tok)}</wst:RequestSecurityToken>`;
    const body = `<wst:RequestSecurityTokenCollection xmlns:wst="${NS.t13}">${item("v1")}${item("v2")}</wst:RequestSecurityTokenCollection>`;
    const r = await trust({ ...validator, requestType: "Validate", body });
    expect(r.status).toBe(200);
    const reasons = byTag(r.doc, NS.t13, "Reason").map((x) => x.textContent);
    const twice = `The token with ID '${id}' appears more than once in the message (the same token sent twice, or a copy of it): send each token once.`;
    expect(reasons).toEqual([twice, twice]);
    expect(byTag(r.doc, NS.t13, "Code").map((c) => c.textContent)).toEqual([STATUS_INVALID, STATUS_INVALID]);
    expect(statusCode((await validate(tok)).text)).toBe(STATUS_VALID);
  });

  it("a JWT named by two BatchRenew items is refused in both as sent twice, and nothing is renewed: alone it renews", async () => {
    const jwt = await issue(TT.jwt, "https://api.example.com/");
    const item = (ctx: string) =>
      `<wst:RequestSecurityToken Context="${ctx}"><wst:RequestType>${NS.t13}/BatchRenew</wst:RequestType>${target("Renew", jwt)}</wst:RequestSecurityToken>`;
    const body = `<wst:RequestSecurityTokenCollection xmlns:wst="${NS.t13}">${item("r1")}${item("r2")}</wst:RequestSecurityTokenCollection>`;
    const r = await trust({ ...validator, requestType: "Renew", body });
    expect(r.status, r.text).toBe(200);
    expect(byTag(r.doc, NS.t13, "RequestedSecurityToken")).toHaveLength(0);
    const twice = "wst:InvalidRequest: The JWT in wst:RenewTarget appears more than once in the message (the same token sent twice, or a copy of it): send each token once.";
    expect(byTag(r.doc, NS.t13, "Reason").map((x) => x.textContent)).toEqual([twice, twice]);
    // No renewal was recorded, so the token is not spent: alone, it renews into a valid token.
    const alone = await trust({ ...validator, requestType: "Renew", extra: target("Renew", jwt) });
    expect(alone.status, alone.text).toBe(200);
    expect(statusCode((await validate(tokenIn(alone.text)!)).text)).toBe(STATUS_VALID);
  });

  it("an item failing unexpectedly (its state object unreachable) fails alone: the items done beside it are reported done", async () => {
    const toks = [await issue(), await issue(), await issue()];
    // The second Cancel's Durable Object call fails, as a call to an object that cannot be
    // reached does; every other call goes through to the real object.
    let cancels = 0;
    const state = env.TOKEN_STATE as unknown as { getByName(name: string): Record<string, (...a: unknown[]) => Promise<unknown>> };
    const TOKEN_STATE = {
      getByName(name: string) {
        const stub = state.getByName(name);
        return new Proxy({}, {
          get: (_, m: string) => {
            if (m === "then") return undefined; // not a promise: returned from an async function as is
            if (m === "cancel" && ++cancels === 2) return () => Promise.reject(new Error("Network connection lost."));
            return (...a: unknown[]) => stub[m]!(...a);
          },
        });
      },
    };
    const { app } = await import("../../src/http/app.ts");
    const item = (tok: string, ctx: string) =>
      `<wst:RequestSecurityToken Context="${ctx}"><wst:RequestType>${NS.t13}/BatchCancel</wst:RequestType>${target("Cancel", tok)}</wst:RequestSecurityToken>`;
    const m = envelope({ ...validator, requestType: "Cancel", body: `<wst:RequestSecurityTokenCollection xmlns:wst="${NS.t13}">${toks.map((t, i) => item(t, `c${i}`)).join("")}</wst:RequestSecurityTokenCollection>` });
    const exec = { waitUntil() {}, passThroughOnException() {}, props: {} } as unknown as ExecutionContext;
    const res = await app.fetch(new Request("http://127.0.0.1:8787/trust/13/usernamemixed", { method: "POST", headers: m.headers, body: m.body }), { ...env, TOKEN_STATE }, exec);
    const text = await res.text();
    expect(res.status, text).toBe(200);
    expect(cancels).toBe(3);
    const rstrs = [...text.matchAll(/<wst:RequestSecurityTokenResponse [\s\S]*?<\/wst:RequestSecurityTokenResponse>/g)].map((x) => x[0]);
    expect(rstrs).toHaveLength(3);
    expect(rstrs[0]).toContain("RequestedTokenCancelled");
    expect(rstrs[1]).not.toContain("RequestedTokenCancelled");
    expect(rstrs[1]).toContain("<wst:Reason>wst:RequestFailed: The STS could not process the request.</wst:Reason>");
    expect(rstrs[2]).toContain("RequestedTokenCancelled");
    // What the answer says is what was done: the first and last are cancelled, the second is not.
    expect((await Promise.all(toks.map(async (t) => statusCode((await validate(t)).text))))).toEqual([STATUS_INVALID, STATUS_VALID, STATUS_INVALID]);
  });

  it("reports a failing item for that item only", async () => {
    const a = await issue();
    const item = (inner: string, ctx: string) =>
      `<wst:RequestSecurityToken Context="${ctx}"><wst:RequestType>${NS.t13}/BatchCancel</wst:RequestType>${inner}</wst:RequestSecurityToken>`;
    const body = `<wst:RequestSecurityTokenCollection xmlns:wst="${NS.t13}">${item(target("Cancel", a), "ok")}${item("", "bad")}</wst:RequestSecurityTokenCollection>`;
    const r = await trust({ ...validator, requestType: "Cancel", body });
    expect(r.status).toBe(200);
    const rstrs = byTag(r.doc, NS.t13, "RequestSecurityTokenResponse");
    expect(rstrs).toHaveLength(2);
    expect(byTag(rstrs[0]!, NS.t13, "RequestedTokenCancelled")).toHaveLength(1);
    expect(statusCode(r.text)).toBe(STATUS_INVALID);
  });
});

describe("the RST's Context is echoed on its RSTR (WS-Trust 1.3 §4.4), an empty one too", () => {
  const contexts = (doc: Document) => byTag(doc, NS.t13, "RequestSecurityTokenResponse").map((x) => (x.hasAttribute("Context") ? x.getAttribute("Context") : null));

  it("on Issue and Validate; an RST without Context gets an RSTR without one", async () => {
    const rst = (ctx: string) =>
      `<wst:RequestSecurityToken xmlns:wst="${NS.t13}"${ctx}><wst:RequestType>${NS.t13}/Issue</wst:RequestType>` +
      `<wsp:AppliesTo xmlns:wsp="${NS.wsp}"><wsa:EndpointReference><wsa:Address>urn:example:rp</wsa:Address></wsa:EndpointReference></wsp:AppliesTo></wst:RequestSecurityToken>`;
    const empty = await trust({ user: "alice", password: "wonderland", body: rst(' Context=""') });
    expect(empty.status).toBe(200);
    expect(contexts(empty.doc)).toEqual([""]);
    const none = await trust({ user: "alice", password: "wonderland", body: rst("") });
    expect(contexts(none.doc)).toEqual([null]);
    const status = await trust({
      ...validator,
      requestType: "Validate",
      body: `<wst:RequestSecurityToken xmlns:wst="${NS.t13}" Context=""><wst:RequestType>${NS.t13}/Validate</wst:RequestType>${target("Validate", await issue())}</wst:RequestSecurityToken>`,
    });
    expect(statusCode(status.text)).toBe(STATUS_VALID);
    expect(contexts(status.doc)).toEqual([""]);
  });

  it("on each batch item, answered or failed", async () => {
    const item = (inner: string, ctx: string) =>
      `<wst:RequestSecurityToken${ctx}><wst:RequestType>${NS.t13}/BatchCancel</wst:RequestType>${inner}</wst:RequestSecurityToken>`;
    const body = `<wst:RequestSecurityTokenCollection xmlns:wst="${NS.t13}">${item(target("Cancel", await issue()), ' Context=""')}${item("", ' Context=""')}${item("", "")}</wst:RequestSecurityTokenCollection>`;
    const r = await trust({ ...validator, requestType: "Cancel", body });
    expect(r.status).toBe(200);
    expect(contexts(r.doc)).toEqual(["", "", null]);
  });
});

describe("WS-Trust Batch: refused whole or answered item by item", () => {
  const item = (kind: "Cancel" | "Renew" | "Validate", tok: string, ns: string = NS.t13) =>
    `<wst:RequestSecurityToken xmlns:wst="${ns}"><wst:RequestType>${ns}/Batch${kind}</wst:RequestType>${target(kind, tok)}</wst:RequestSecurityToken>`;
  const rstc = (items: string) => `<wst:RequestSecurityTokenCollection xmlns:wst="${NS.t13}">${items}</wst:RequestSecurityTokenCollection>`;

  it("a collection holding anything but its own RSTs is refused before any item runs: nothing is cancelled or renewed", async () => {
    const [a, b] = [await issue(), await issue()];
    // Text between the items, plain or as CDATA, is refused like a stray element.
    const stray = ["<foo/>", item("Cancel", b, NS.t05), "cancel the first only", "<![CDATA[ x ]]>"];
    for (const bad of stray) {
      const r = await trust({ ...validator, requestType: "Cancel", body: rstc(item("Cancel", a) + bad + item("Cancel", b)) });
      expect(faultCode(r.text)).toBe("wst:InvalidRequest");
      expect(r.text).toContain("only wst:RequestSecurityToken elements");
    }
    const renew = await trust({ ...validator, requestType: "Renew", body: rstc(item("Renew", a) + "<foo/>") });
    expect(faultCode(renew.text)).toBe("wst:InvalidRequest");
    for (const t of [a, b]) expect(statusCode((await validate(t)).text)).toBe(STATUS_VALID);
    // Nothing was renewed behind the refusal: the token renews once, now.
    const once = await trust({ ...validator, requestType: "Renew", extra: target("Renew", a) });
    expect(once.status).toBe(200);
    expect(once.text).toContain("saml:Assertion");
  });

  it("white space between the items is layout; text inside an item is refused for that item alone", async () => {
    const [a, b] = [await issue(), await issue()];
    const laidOut = await trust({ ...validator, requestType: "Validate", body: rstc(`\n  ${item("Validate", a)}\n\t ${item("Validate", b)}\r\n`) });
    expect(laidOut.status).toBe(200);
    expect(laidOut.text.match(/status\/valid/g)).toHaveLength(2);
    const texty = item("Cancel", b).replace("</wst:RequestSecurityToken>", "and a remark</wst:RequestSecurityToken>");
    const r = await trust({ ...validator, requestType: "Cancel", body: rstc(item("Cancel", a) + texty) });
    expect(r.status).toBe(200);
    expect(r.text).toContain("wst:RequestSecurityToken holds its parameters as elements; it holds text ('and a remark').");
    expect(statusCode((await validate(b)).text)).toBe(STATUS_VALID);
    expect(statusCode((await validate(a)).text)).toBe(STATUS_INVALID);
  });

  it("the reply's action names the batch's operation", async () => {
    const replyAction = (text: string) => /<(\w+):Action[^>]*>([^<]+)<\/\1:Action>/.exec(text)?.[2];
    const tok = await issue();
    const v = await trust({ ...validator, requestType: "Validate", body: rstc(item("Validate", tok)) });
    expect(replyAction(v.text)).toBe(`${NS.t13}/RSTR/ValidateFinal`);
    const c = await trust({ ...validator, requestType: "Cancel", body: rstc(item("Cancel", tok)) });
    expect(replyAction(c.text)).toBe(`${NS.t13}/RSTR/CancelFinal`);
  });
});

describe("Issue is stateless", () => {
  it("makes zero Durable Object calls", async () => {
    let touched = 0;
    const trap = new Proxy({}, { get: () => { touched++; throw new Error("Durable Object touched during Issue"); } });
    const e = envelope({ user: "alice", password: "wonderland", appliesTo: "urn:example:rp" });
    const worker = (exports as unknown as { default: { fetch(r: Request, env: unknown, ctx: unknown): Promise<Response> } }).default;
    void worker;
    const { app } = await import("../../src/http/app.ts");
    const ctx = { waitUntil() {}, passThroughOnException() {}, props: {} };
    const res = await app.fetch(
      new Request("http://127.0.0.1:8787/trust/13/usernamemixed", { method: "POST", headers: e.headers, body: e.body }),
      { ...env, TOKEN_STATE: trap, REPLAY_CACHE: trap },
      ctx as unknown as ExecutionContext,
    );
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("saml:Assertion");
    expect(touched).toBe(0);
  });
});

describe("WS-Trust Renew lifetimes", () => {
  const lifetime = (created?: string, expires?: string) =>
    `<wst:Lifetime>${created ? `<wsu:Created>${created}</wsu:Created>` : ""}${expires ? `<wsu:Expires>${expires}</wsu:Expires>` : ""}</wst:Lifetime>`;

  it("refuses a postdated renewal (not configured) with wst:InvalidTimeRange, and the token can still renew", async () => {
    const tok = await issue();
    const future = new Date(Date.now() + 3600_000).toISOString();
    const r = await trust({ ...validator, requestType: "Renew", extra: target("Renew", tok, lifetime(future)) });
    expect(faultCode(r.text)).toBe("wst:InvalidTimeRange");
    // The refusal happened before any state was written: a proper renewal still works.
    const ok = await trust({ ...validator, requestType: "Renew", extra: target("Renew", tok) });
    expect(ok.status).toBe(200);
  });

  it("refuses a reversed lifetime (wsu:Expires before wsu:Created, both within the skew) with wst:InvalidTimeRange, and the token can still renew", async () => {
    const tok = await issue();
    const r = await trust({ ...validator, requestType: "Renew", extra: target("Renew", tok, lifetime(new Date(Date.now() + 60_000).toISOString(), new Date(Date.now() + 30_000).toISOString())) });
    expect(faultCode(r.text)).toBe("wst:InvalidTimeRange");
    expect(r.text).toContain("The requested lifetime ends before it starts.");
    expect((await trust({ ...validator, requestType: "Renew", extra: target("Renew", tok) })).status).toBe(200);
  });

  it("honours a shorter requested expiry", async () => {
    const tok = await issue();
    const exp = new Date(Date.now() + 120_000).toISOString();
    const r = await trust({ ...validator, requestType: "Renew", extra: target("Renew", tok, lifetime(undefined, exp)) });
    expect(r.status).toBe(200);
    expect(r.text).toContain(`NotOnOrAfter="${exp}"`);
  });
});

describe("a postdated token (a Renew asking for a later wsu:Created, where the relying party allows it)", () => {
  const RPS = { "urn:example:rp": TT.saml2, "https://api.example.com/": TT.jwt } as const;
  const postdating = async () => {
    const { DEV_CONFIG } = await import("../../src/config/dev.ts");
    return worker({
      ...DEV_CONFIG,
      relyingParties: DEV_CONFIG.relyingParties!.map((rp) => (rp.identifier in RPS ? { ...rp, renewal: { allowPostdating: true } } : rp)),
    });
  };
  /** The revocation state of alice's token, straight from its state object. */
  async function stateOf(token: string): Promise<string> {
    const { createStateClient } = await import("../../src/state/client.ts");
    let ref: { id: string; issuedAt: number; expiresAt: number };
    if (token.includes("BinarySecurityToken")) {
      const p = JSON.parse(atob(atob(/>([^<]+)</.exec(token)![1]!).split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/")));
      ref = { id: p.jti, issuedAt: p.iat * 1000, expiresAt: p.exp * 1000 };
    } else {
      const at = (name: string) => new RegExp(` ${name}="([^"]+)"`).exec(token)![1]!;
      ref = { id: at("ID"), issuedAt: Date.parse(at("IssueInstant")), expiresAt: Date.parse(at("NotOnOrAfter")) };
    }
    const state = createStateClient(env as unknown as Parameters<typeof createStateClient>[0], { cache: null });
    return (await state.status({ subject: "alice" }, ref)).state;
  }

  for (const [appliesTo, tokenType] of Object.entries(RPS)) {
    it(`${tokenType === TT.jwt ? "JWT" : "SAML 2.0"}: Cancel kills it before it starts; Validate and Renew say it is not yet valid`, async () => {
      const send = await postdating();
      const tok = tokenIn(await send({ user: "alice", password: "wonderland", appliesTo, tokenType }))!;
      const start = Date.now() + 3600_000;
      const lifetime = { created: new Date(start).toISOString(), expires: new Date(start + 600_000).toISOString() };
      const postdated = tokenIn(await send({ ...validator, requestType: "Renew", lifetime, extra: target("Renew", tok) }))!;
      expect(postdated).toBeDefined();
      const status = await send({ ...validator, requestType: "Validate", tokenType: `${NS.t13}/RSTR/Status`, extra: target("Validate", postdated) });
      expect(statusCode(status)).toBe(STATUS_INVALID);
      expect(status).toContain("The token is not yet valid.");
      const renew = await send({ ...validator, requestType: "Renew", extra: target("Renew", postdated) });
      expect(faultCode(renew)).toBe("wst:UnableToRenew");
      expect(renew).toContain("The token is not yet valid.");
      expect(await stateOf(postdated)).toBe("active");
      for (const who of [validator, { user: "alice", password: "wonderland" }]) {
        const cancel = await send({ ...who, requestType: "Cancel", extra: target("Cancel", postdated) });
        expect(cancel, cancel).toContain("RequestedTokenCancelled");
      }
      expect(await stateOf(postdated)).toBe("revoked");
    });
  }
});

describe("renewability", () => {
  it('a token issued with wst:Renewing Allow="false" validates but never renews', async () => {
    const r = await trust({ user: "alice", password: "wonderland", appliesTo: "urn:example:rp", tokenType: TT.saml2, extra: `<wst:Renewing Allow="false"/>` });
    expect(r.status).toBe(200);
    const tok = /<saml:Assertion[\s\S]*?<\/saml:Assertion>/.exec(r.text)![0];
    expect(statusCode((await validate(tok)).text)).toBe(STATUS_VALID);
    const renew = await trust({ ...validator, requestType: "Renew", extra: target("Renew", tok) });
    expect(faultCode(renew.text)).toBe("wst:UnableToRenew");
    expect(renew.text).toContain("not renewable");
    // The mark is inside the signed ID: stripping it breaks the signature.
    const stripped = tok.replace(/ID="_nr\./, 'ID="_');
    expect(stripped).not.toBe(tok);
    expect(statusCode((await validate(stripped)).text)).toBe(STATUS_INVALID);
  });

  // WS-Trust 1.3 §5: Renewing Allow="false" asks for a token that is not renewable, whichever
  // request returns the token.
  it('Renew and Validate-transformation with wst:Renewing Allow="false" return a token that never renews', async () => {
    const alice = { user: "alice", password: "wonderland" };
    const renewed = await trust({ ...validator, requestType: "Renew", extra: target("Renew", await issue(), `<wst:Renewing Allow="false"/>`) });
    const transformed = await trust({ ...alice, requestType: "Validate", tokenType: TT.saml1, extra: target("Validate", await issue(), `<wst:Renewing Allow="false"/>`) });
    for (const r of [renewed, transformed]) {
      expect(r.status, r.text).toBe(200);
      const tok = tokenIn(r.text)!;
      expect(tok).toMatch(/ (ID|AssertionID)="_nr\./);
      expect(statusCode((await validate(tok)).text)).toBe(STATUS_VALID);
      const again = await trust({ ...validator, requestType: "Renew", extra: target("Renew", tok) });
      expect(faultCode(again.text)).toBe("wst:UnableToRenew");
      expect(again.text).toContain("not renewable");
    }
  });

  // WS-Trust 1.3 §5: OK="true" in the request that returns a token lets that token renew after it
  // expires; it is recorded in the token's signed ID (renewability.ts), in every format.
  it('wst:Renewing OK="true" marks the token whichever WS-Trust request returns it; Allow="false" wins over it', async () => {
    const alice = { user: "alice", password: "wonderland" };
    const OK = `<wst:Renewing OK="true"/>`;
    const idOf = (tok: string) =>
      tok.startsWith("<wsse:BinarySecurityToken")
        ? (JSON.parse(atob(atob(/>([^<]+)</.exec(tok)![1]!).split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/"))) as { jti: string }).jti
        : / (?:ID|AssertionID)="([^"]+)"/.exec(tok)![1]!;
    const issued = async (o: Parameters<typeof trust>[0]) => {
      const r = await trust(o);
      expect(r.status, r.text).toBe(200);
      return idOf(tokenIn(r.text)!);
    };
    expect(await issued({ ...alice, appliesTo: "urn:example:rp", tokenType: TT.saml2, extra: OK })).toMatch(/^_ok\.[0-9a-f]{32}$/);
    expect(await issued({ ...alice, appliesTo: "urn:example:rp", tokenType: TT.saml1, extra: OK })).toMatch(/^_ok\.[0-9a-f]{32}$/);
    expect(await issued({ ...alice, appliesTo: "https://api.example.com/", tokenType: TT.jwt, extra: OK })).toMatch(/^ok\.[A-Za-z0-9_-]{22}$/);
    expect(await issued({ ...alice, trust: "2005", appliesTo: "urn:example:rp", tokenType: TT.saml2, extra: OK })).toMatch(/^_ok\./);
    expect(await issued({ ...alice, requestType: "Validate", tokenType: TT.saml1, extra: target("Validate", await issue(), OK) })).toMatch(/^_ok\./);
    expect(await issued({ ...validator, requestType: "Renew", extra: target("Renew", await issue(), OK) })).toMatch(/^_ok\./);
    expect(await issued({ ...alice, appliesTo: "urn:example:rp", tokenType: TT.saml2, extra: `<wst:Renewing Allow="false" OK="true"/>` })).toMatch(/^_nr\.[0-9a-f]{32}$/);
    expect(await issued({ ...alice, appliesTo: "urn:example:rp", tokenType: TT.saml2, extra: `<wst:Renewing OK="false"/>` })).toMatch(/^_[0-9a-f]{32}$/);
    // In a batch, each item's own Renewing.
    const item = (ctx: string, renewing: string) =>
      `<wst:RequestSecurityToken Context="${ctx}"><wst:RequestType>${NS.t13}/BatchIssue</wst:RequestType><wsp:AppliesTo xmlns:wsp="${NS.wsp}"><wsa:EndpointReference><wsa:Address>urn:example:rp</wsa:Address></wsa:EndpointReference></wsp:AppliesTo>${renewing}</wst:RequestSecurityToken>`;
    const batch = await trust({ ...alice, body: `<wst:RequestSecurityTokenCollection xmlns:wst="${NS.t13}">${item("a", OK)}${item("b", "")}</wst:RequestSecurityTokenCollection>` });
    expect(batch.status, batch.text).toBe(200);
    const [a, b] = byTag(batch.doc, NS.t13, "RequestSecurityTokenResponse").map((x) => idOf(byTag(x, NS.saml2, "Assertion")[0]!.toString()));
    expect(a).toMatch(/^_ok\./);
    expect(b).toMatch(/^_[0-9a-f]{32}$/);
  });

  it("a relying party's renewal window refuses early renewals", async () => {
    const { app } = await import("../../src/http/app.ts");
    const { DEV_CONFIG, DEV_SECRETS } = await import("../../src/config/dev.ts");
    const config = {
      ...DEV_CONFIG,
      relyingParties: DEV_CONFIG.relyingParties.map((rp) => (rp.identifier === "urn:example:rp" ? { ...rp, renewal: { windowSeconds: 600 } } : rp)),
    };
    const e2 = { TOKEN_STATE: env.TOKEN_STATE, REPLAY_CACHE: env.REPLAY_CACHE, ...DEV_SECRETS, STS_CONFIG: JSON.stringify(config) };
    const exec = { waitUntil() {}, passThroughOnException() {}, props: {} } as unknown as ExecutionContext;
    const send = async (o: Parameters<typeof envelope>[0]) => {
      const m = envelope(o);
      const res = await app.fetch(new Request("http://127.0.0.1:8787/trust/13/usernamemixed", { method: "POST", headers: m.headers, body: m.body }), e2, exec);
      return res.text();
    };
    const issued = await send({ user: "alice", password: "wonderland", appliesTo: "urn:example:rp" });
    const tok = /<saml:Assertion[\s\S]*?<\/saml:Assertion>/.exec(issued)![0];
    // Lifetime 1 h, window 10 min: too early now.
    const early = await send({ ...validator, requestType: "Renew", extra: target("Renew", tok) });
    expect(faultCode(early)).toBe("wst:UnableToRenew");
    expect(early).toContain("last 600 seconds");
    // A token in its last 10 minutes renews.
    const short = await send({ user: "alice", password: "wonderland", appliesTo: "urn:example:rp", lifetime: { expires: new Date(Date.now() + 300_000).toISOString() } });
    const tok2 = /<saml:Assertion[\s\S]*?<\/saml:Assertion>/.exec(short)![0];
    const ok = await send({ ...validator, requestType: "Renew", extra: target("Renew", tok2) });
    expect(ok).toContain("saml:Assertion");
  });
});

describe("OnBehalfOf (WS-Trust 1.3) and ActAs (WS-Trust 1.4)", () => {
  const WST14 = "http://docs.oasis-open.org/ws-sx/ws-trust/200802";

  /** The app with the dev configuration plus a service account allowed to issue for urn:example:rp. */
  async function withIssuer() {
    const { app } = await import("../../src/http/app.ts");
    const { DEV_CONFIG, DEV_SECRETS } = await import("../../src/config/dev.ts");
    const config = {
      ...DEV_CONFIG,
      serviceAccounts: [
        ...(DEV_CONFIG.serviceAccounts ?? []),
        { username: "gateway", secretHashSecret: "DEV_RP_VALIDATOR_SECRET_HASH", allowedRelyingParties: ["urn:example:rp"], operations: ["issue"] },
      ],
    };
    const e2 = { TOKEN_STATE: env.TOKEN_STATE, REPLAY_CACHE: env.REPLAY_CACHE, ...DEV_SECRETS, STS_CONFIG: JSON.stringify(config) };
    const exec = { waitUntil() {}, passThroughOnException() {}, props: {} } as unknown as ExecutionContext;
    return async (o: Parameters<typeof envelope>[0]) => {
      const m = envelope(o);
      const res = await app.fetch(new Request("http://127.0.0.1:8787/trust/13/usernamemixed", { method: "POST", headers: m.headers, body: m.body }), e2, exec);
      return res.text();
    };
  }
  const gateway = { user: "gateway", password: "rp-validator-secret-0f1e2d3c4b5a6978" };
  const assertion = (t: string) => /<saml:Assertion[\s\S]*?<\/saml:Assertion>/.exec(t)?.[0];

  it("ActAs: the token is alice's, with the gateway as actor; Validate shows it valid", async () => {
    const send = await withIssuer();
    const alice = assertion(await send({ user: "alice", password: "wonderland", appliesTo: "urn:example:rp" }))!;
    const r = await send({ ...gateway, appliesTo: "urn:example:rp", extra: `<wst14:ActAs xmlns:wst14="${WST14}">${alice}</wst14:ActAs>` });
    const tok = assertion(r)!;
    expect(tok).toContain(">alice</saml:NameID>");
    expect(tok).toMatch(/claims\/actor"[^>]*><saml:AttributeValue>gateway</);
  });

  it('OnBehalfOf and ActAs honour wst:Renewing OK="true"; of a token that may not be renewed, Allow="false" is passed on and wins', async () => {
    const send = await withIssuer();
    const OK = `<wst:Renewing OK="true"/>`;
    const id = (t: string) => / ID="([^"]+)"/.exec(assertion(t)!)![1]!;
    for (const [issuedWith, expected] of [["", /^_ok\.[0-9a-f]{32}$/], [`<wst:Renewing Allow="false"/>`, /^_nr\./]] as const) {
      const alice = assertion(await send({ user: "alice", password: "wonderland", appliesTo: "urn:example:rp", extra: issuedWith }))!;
      for (const delegated of [`<wst:OnBehalfOf>${alice}</wst:OnBehalfOf>`, `<wst14:ActAs xmlns:wst14="${WST14}">${alice}</wst14:ActAs>`]) {
        expect(id(await send({ ...gateway, appliesTo: "urn:example:rp", extra: delegated + OK })), issuedWith + delegated).toMatch(expected);
      }
    }
  });

  it("OnBehalfOf: the token is alice's with no actor", async () => {
    const send = await withIssuer();
    const alice = assertion(await send({ user: "alice", password: "wonderland", appliesTo: "urn:example:rp" }))!;
    const r = await send({ ...gateway, appliesTo: "urn:example:rp", extra: `<wst:OnBehalfOf>${alice}</wst:OnBehalfOf>` });
    const tok = assertion(r)!;
    expect(tok).toContain(">alice</saml:NameID>");
    expect(tok).not.toContain("claims/actor");
  });

  // Validate-transformation is an issuance for the target, as OnBehalfOf is: the right to issue
  // there is all it asks, not also the right to validate the token's own relying party.
  it("Validate-transformation by a service account with issue for the target only, like OnBehalfOf", async () => {
    const send = await withIssuer();
    const bst = /<wsse:BinarySecurityToken[\s\S]*?<\/wsse:BinarySecurityToken>/.exec(
      await send({ user: "alice", password: "wonderland", appliesTo: "https://api.example.com/", tokenType: TT.jwt }),
    )![0];
    const saml = await send({ ...gateway, requestType: "Validate", tokenType: TT.saml2, appliesTo: "urn:example:rp", extra: target("Validate", bst) });
    expect(assertion(saml), saml).toContain(">alice</saml:NameID>");
    const onBehalf = await send({ ...gateway, appliesTo: "urn:example:rp", extra: `<wst:OnBehalfOf>${bst}</wst:OnBehalfOf>` });
    expect(assertion(onBehalf)).toContain(">alice</saml:NameID>");
    // Not for a target it may not issue for (the token's own party by default), and nothing about
    // the token is told to a caller the rule refuses: a cancelled token is the same refusal.
    for (const extra of [{ tokenType: TT.jwt, appliesTo: "https://api.example.com/" }, { tokenType: TT.saml1 }]) {
      const r = await send({ ...gateway, requestType: "Validate", ...extra, extra: target("Validate", bst) });
      expect(faultCode(r)).toBe("wst:RequestFailed");
    }
    await send({ ...validator, requestType: "Cancel", extra: target("Cancel", bst) });
    const bob = await send({ user: "bob", password: "builder", requestType: "Validate", tokenType: TT.saml2, appliesTo: "urn:example:rp", extra: target("Validate", bst) });
    expect(faultCode(bob)).toBe("wst:RequestFailed");
    expect(bob).not.toContain("revoked");
    expect(faultCode(await send({ ...gateway, requestType: "Validate", tokenType: TT.saml2, appliesTo: "urn:example:rp", extra: target("Validate", bst) }))).toBe("wst:InvalidSecurityToken");
  });

  it("refuses callers without the issue operation, forged tokens, and cancelled tokens", async () => {
    const send = await withIssuer();
    const alice = assertion(await send({ user: "alice", password: "wonderland", appliesTo: "urn:example:rp" }))!;
    // rp-validator may validate, not issue for others; bob may not act for alice.
    expect(faultCode(await send({ ...validator, appliesTo: "urn:example:rp", extra: `<wst:OnBehalfOf>${alice}</wst:OnBehalfOf>` }))).toBe("wst:RequestFailed");
    expect(faultCode(await send({ user: "bob", password: "builder", appliesTo: "urn:example:rp", extra: `<wst:OnBehalfOf>${alice}</wst:OnBehalfOf>` }))).toBe("wst:RequestFailed");
    // A forged token (subject changed) is refused.
    const forged = alice.replace(">alice<", ">bob<");
    expect(faultCode(await send({ ...gateway, appliesTo: "urn:example:rp", extra: `<wst:OnBehalfOf>${forged}</wst:OnBehalfOf>` }))).toBe("wst:InvalidSecurityToken");
    // A cancelled token is refused (one revocation model).
    await send({ ...validator, requestType: "Cancel", extra: target("Cancel", alice) });
    expect(faultCode(await send({ ...gateway, appliesTo: "urn:example:rp", extra: `<wst:OnBehalfOf>${alice}</wst:OnBehalfOf>` }))).toBe("wst:InvalidSecurityToken");
  });
});

describe("a relying party renamed or removed while its tokens are out", () => {
  const RP = "urn:example:rp";
  /** Every mention of `id` in string lists of the configuration taken out. */
  function without(v: unknown, id: string): unknown {
    if (Array.isArray(v)) return v.filter((x) => x !== id).map((x) => without(x, id));
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, without(x, id)]));
    return v;
  }

  it("renamed, its old name kept as an alias: the service account and the subject manage its outstanding tokens as before", async () => {
    const { DEV_CONFIG } = await import("../../src/config/dev.ts");
    const renamed = await worker({
      ...DEV_CONFIG,
      relyingParties: DEV_CONFIG.relyingParties!.map((rp) => (rp.identifier === RP ? { ...rp, identifier: "urn:example:rp-renamed", aliases: [...(rp.aliases ?? []), RP] } : rp)),
    });
    const tok = await issue(); // audience urn:example:rp, from before the rename
    expect(statusCode(await renamed({ ...validator, requestType: "Validate", tokenType: `${NS.t13}/RSTR/Status`, extra: target("Validate", tok) }))).toBe(STATUS_VALID);
    expect(await renamed({ ...validator, requestType: "Renew", extra: target("Renew", tok) })).toContain("saml:Assertion");
    const other = await issue();
    expect(await renamed({ ...validator, requestType: "Cancel", extra: target("Cancel", other) })).toContain("RequestedTokenCancelled");
  });

  it("removed: its tokens are valid for nothing any more (Validate says why; no new token is made from one)", async () => {
    const { DEV_CONFIG } = await import("../../src/config/dev.ts");
    const config = without({ ...DEV_CONFIG, relyingParties: DEV_CONFIG.relyingParties!.filter((rp) => rp.identifier !== RP) }, RP) as object;
    const removed = await worker(config);
    const tok = await issue();
    const alice = { user: "alice", password: "wonderland" };
    const status = await removed({ ...alice, requestType: "Validate", tokenType: `${NS.t13}/RSTR/Status`, extra: target("Validate", tok) });
    expect(statusCode(status), status).toBe(STATUS_INVALID);
    expect(status).toContain("no longer configured");
    const transformed = await removed({ ...alice, requestType: "Validate", tokenType: TT.jwt, appliesTo: "https://api.example.com/", extra: target("Validate", tok) });
    expect(faultCode(transformed)).toBe("wst:InvalidSecurityToken");
    expect(transformed).not.toContain("BinarySecurityToken ");
  });
});
