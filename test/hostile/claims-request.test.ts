/**
 * Hostile wst:Claims: oversized requests, unknown dialects, and claim URIs and values carrying
 * markup. Each is a clear wst:InvalidRequest whose text quotes what was sent as text (the reply
 * stays well-formed, nothing injected), never a token and never a 500.
 */
import { describe, expect, it } from "vitest";
import { NS } from "../helpers/soap.ts";
import { faultCode, trust } from "../helpers/worker.ts";
import { parseXml } from "../../src/xml/parse.ts";

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
  ])("refuses %s", async (extra, why) => {
    expect(await refused(extra)).toContain(why);
  });
});
