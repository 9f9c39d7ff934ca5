/**
 * Hostile wst:Claims: oversized requests, unknown dialects, and claim URIs and values carrying
 * markup. Each is a clear wst:InvalidRequest whose text quotes what was sent as text (the reply
 * stays well-formed, nothing injected), never a token and never a 500. And claim rules made to
 * multiply a subject's claims: refused at the claims bound, never a token of megabytes.
 */
import { describe, expect, it } from "vitest";
import { DEV_CONFIG } from "../../src/config/dev.ts";
import { NS, TT } from "../helpers/soap.ts";
import { faultCode, trust } from "../helpers/worker.ts";
import { parseXml } from "../../src/xml/parse.ts";
import { TX, exchange } from "../oauth/helpers.ts";
import { jwtIn, trustWith, workerWith } from "./configured.ts";
import { DEMO } from "../helpers/credentials.ts";

const IC = "http://schemas.xmlsoap.org/ws/2005/05/identity";
const AUTH = "http://docs.oasis-open.org/wsfed/authorization/200706";
const alice = { user: "alice", password: "wonderland", appliesTo: "urn:example:rp" };
/** Markup as it arrives in an attribute or text node (escaped in the request, markup once read). */
const EVIL = `urn:a"/><injected xmlns="urn:evil"/><x y="`;
const esc = (v: string) => v.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/"/g, "&quot;");

async function refused(extra: string, soap: "1.1" | "1.2" = "1.2", t: "13" | "2005" = "13"): Promise<string> {
  const r = await trust({ ...alice, soap, trust: t, extra: extra.replaceAll(NS.t13, t === "2005" ? NS.t05 : NS.t13) });
  expect(r.status).toBe(soap === "1.1" ? 500 : 400);
  expect(faultCode(r.text)).toBe("wst:InvalidRequest");
  expect(r.text).not.toContain("saml:Assertion");
  const doc = parseXml(r.text); // strict: a reply that is not well-formed fails here
  expect(doc.getElementsByTagNameNS("urn:evil", "injected").length).toBe(0);
  return r.text;
}

describe("hostile wst:Claims", () => {
  for (const soap of ["1.1", "1.2"] as const) {
    for (const t of ["13", "2005"] as const) {
      it(`an unknown dialect with markup in it is refused and quoted as text (SOAP ${soap}, WS-Trust ${t})`, async () => {
        const text = await refused(`<wst:Claims xmlns:wst="${NS.t13}" Dialect="${esc(EVIL)}"/>`, soap, t);
        expect(text).toContain("Unsupported wst:Claims Dialect 'urn:a&quot;/&gt;&lt;injected");
      });
    }
  }

  it("a wst:Claims without Dialect is refused", async () => {
    expect(await refused(`<wst:Claims xmlns:ic="${IC}"><ic:ClaimType Uri="urn:x"/></wst:Claims>`)).toContain("wst:Claims must name its Dialect");
  });

  it("more than 64 claim types are refused", async () => {
    const many = Array.from({ length: 65 }, (_, i) => `<ic:ClaimType Uri="urn:c${i}" Optional="true"/>`).join("");
    expect(await refused(`<wst:Claims Dialect="${IC}" xmlns:ic="${IC}">${many}</wst:Claims>`)).toContain("at most 64 claim types");
  });

  it("a claim URI longer than 512 characters is refused", async () => {
    expect(await refused(`<wst:Claims Dialect="${IC}" xmlns:ic="${IC}"><ic:ClaimType Uri="urn:${"x".repeat(510)}"/></wst:Claims>`)).toContain("at most 512 characters");
  });

  it("an auth:Value longer than 1024 characters is refused", async () => {
    expect(await refused(`<wst:Claims Dialect="${AUTH}" xmlns:auth="${AUTH}"><auth:ClaimType Uri="urn:x"><auth:Value>${"v".repeat(1025)}</auth:Value></auth:ClaimType></wst:Claims>`)).toContain("at most 1024 characters");
  });

  it("a required claim whose URI carries markup is named as text", async () => {
    const text = await refused(`<wst:Claims Dialect="${IC}" xmlns:ic="${IC}"><ic:ClaimType Uri="${esc(EVIL)}"/></wst:Claims>`);
    expect(text).toContain("The required claim 'urn:a&quot;/&gt;&lt;injected xmlns=&quot;urn:evil&quot;/&gt;");
  });

  it("a requested value with markup matches nothing and is never echoed as markup", async () => {
    const text = await refused(`<wst:Claims Dialect="${AUTH}" xmlns:auth="${AUTH}"><auth:ClaimType Uri="http://schemas.microsoft.com/ws/2008/06/identity/claims/role"><auth:Value>${esc("<injected xmlns='urn:evil'/>")}</auth:Value></auth:ClaimType></wst:Claims>`);
    expect(text).not.toContain("<injected");
  });

  it.each([
    [`<wst:Claims Dialect="${IC}" xmlns:ic="${IC}"><ic:Other Uri="urn:x"/></wst:Claims>`, "holds only ClaimType elements"],
    [`<wst:Claims Dialect="${IC}" xmlns:auth="${AUTH}"><auth:ClaimType Uri="urn:x"/></wst:Claims>`, "holds only ClaimType elements"],
    [`<wst:Claims Dialect="${IC}" xmlns:ic="${IC}"><ic:ClaimType/></wst:Claims>`, "must name its claim in a Uri attribute"],
    [`<wst:Claims Dialect="${IC}" xmlns:ic="${IC}"><ic:ClaimType Uri="urn:x" Optional="maybe"/></wst:Claims>`, "must be true, false, 1 or 0"],
    [`<wst:Claims Dialect="${AUTH}" xmlns:auth="${AUTH}"><auth:ClaimType Uri="urn:x"><auth:StructuredValue/></auth:ClaimType></wst:Claims>`, "carries an element this STS does not support (StructuredValue)"],
    [`<wst:Claims Dialect="${AUTH}" xmlns:auth="${AUTH}"><auth:ClaimType Uri="urn:x"><auth:Value>a</auth:Value><auth:Value>b</auth:Value></auth:ClaimType></wst:Claims>`, "only one auth:Value may constrain it"],
    [`<wst:Claims Dialect="${IC}"/><wst:Claims Dialect="${IC}"/>`, "must not carry Claims more than once"],
    [`<wst:Claims Dialect="${IC}">http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn</wst:Claims>`, "names its claims in ClaimType elements; it holds text ('http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn')"],
    [`<wst:Claims Dialect="${AUTH}" xmlns:auth="${AUTH}"><auth:ClaimType Uri="urn:x"/><![CDATA[ upn ]]></wst:Claims>`, "it holds text ('upn')"],
  ])("refuses %s", async (extra, why) => {
    expect(await refused(extra)).toContain(why);
  });
});

describe("claim rules that multiply a subject's claims", () => {
  // 64 rules, each a template of 8 placeholders over 30 values of 1,000 characters: unbounded,
  // 64 × 64 values of 8,000 characters (32 MB) in one token.
  const big = Array.from({ length: 30 }, (_, i) => `${i}`.padEnd(1000, "v"));
  const rules = Array.from({ length: 64 }, (_, i) => ({ template: "{big}{big}{big}{big}{big}{big}{big}{big}", as: `h${i}` }));
  const f = workerWith({
    ...DEV_CONFIG,
    users: [...(DEV_CONFIG.users ?? []), { username: "heavy", passwordHashSecret: "DEV_BOB_PASSWORD_HASH", claims: { big } }],
    relyingParties: [
      ...DEV_CONFIG.relyingParties,
      { identifier: "urn:heavy:jwt", defaultTokenType: "jwt", claimRules: rules },
      { identifier: "urn:heavy:saml", defaultTokenType: "saml2", claimRules: rules },
      { identifier: "urn:heavy:none", defaultTokenType: "saml2" },
    ],
    oauthClients: (DEV_CONFIG.oauthClients ?? []).map((c, i) => (i === 0 ? { ...c, allowedAudiences: [...c.allowedAudiences, "urn:heavy:jwt", "urn:heavy:none"] } : c)),
  });
  const heavy = { user: "heavy", password: "builder" };

  it("are refused with wst:InvalidRequest naming the bound, never a token of megabytes and never a 500", async () => {
    for (const appliesTo of ["urn:heavy:jwt", "urn:heavy:saml"]) {
      const r = await trustWith(f, { ...heavy, appliesTo });
      expect([r.status, r.fault], appliesTo).toEqual([400, "wst:InvalidRequest"]);
      expect(r.text).toContain(`would take more than ${128 * 1024} characters`);
      expect(r.text.length).toBeLessThan(4096);
    }
    // The same subject without rules gets its 30 KB of claims.
    const plain = await trustWith(f, { ...heavy, appliesTo: "urn:heavy:none" });
    expect(plain.status).toBe(200);
  });

  it("token exchange refuses them with invalid_request", async () => {
    const subject = jwtIn((await trustWith(f, { ...heavy, appliesTo: "urn:heavy:none", tokenType: TT.jwt })).text)!;
    const r = await exchange({ subject_token: subject, subject_token_type: TX.jwt, audience: "urn:heavy:jwt" }, DEMO, f);
    expect([r.status, r.json.error]).toEqual([400, "invalid_request"]);
    expect(r.json.error_description).toContain(`would take more than ${128 * 1024} characters`);
  });
});
