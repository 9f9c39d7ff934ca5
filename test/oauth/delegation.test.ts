/**
 * What a delegated token carries into every token made from it, whatever the format: its whole
 * `act` chain (SAML states it in the actor attribute, one value per actor, the party acting now
 * first), so neither the chain nor its limit is lost by a trip through SAML.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { DOMParser } from "@xmldom/xmldom";
import type { Element } from "@xmldom/xmldom";
import { NS, TT } from "../helpers/soap.ts";
import { GATEWAY, IDP, assertionIn, delegationWorker, jwtBst, jwtIn, trustWith } from "../hostile/configured.ts";
import { API, DEMO, RP, TX, b64url, exchange, jwtParts, post, unb64url, type Fetcher } from "./helpers.ts";

const WST14 = "http://docs.oasis-open.org/ws-sx/ws-trust/200802";
const ACTOR = "http://schemas.xmlsoap.org/ws/2009/09/identity/claims/actor";

let f: Fetcher;
let idpToken: (claims?: Record<string, unknown>) => Promise<string>;

beforeAll(async () => {
  ({ f, idpToken } = await delegationWorker());
});

async function wsJwt(user: string, password: string): Promise<string> {
  return jwtIn((await trustWith(f, { user, password, appliesTo: API, tokenType: TT.jwt })).text)!;
}

/** The values of a SAML token's actor attribute, in document order. */
function actorValues(xml: string, saml: "saml2" | "saml1"): string[] {
  const doc = new DOMParser().parseFromString(xml, "text/xml");
  const attrs = Array.from(doc.getElementsByTagNameNS(NS[saml], "Attribute")).filter((a) =>
    saml === "saml2" ? a.getAttribute("Name") === ACTOR : `${a.getAttribute("AttributeNamespace")}/${a.getAttribute("AttributeName")}` === ACTOR,
  );
  expect(attrs.length).toBeLessThanOrEqual(1);
  return attrs.length === 0 ? [] : Array.from((attrs[0] as unknown as Element).getElementsByTagNameNS(NS[saml], "AttributeValue")).map((v) => v.textContent ?? "");
}

describe("a delegation chain survives SAML", () => {
  it("a chain of eight goes into SAML 2.0 and SAML 1.1 whole, outermost actor first, and comes back whole; a ninth actor is still refused", async () => {
    const actors = [await wsJwt("bob", "builder"), await idpToken(), await wsJwt("alice", "wonderland")];
    let t = await wsJwt("alice", "wonderland");
    for (let i = 0; i < 8; i++) {
      const r = await exchange({ subject_token: t, subject_token_type: TX.jwt, audience: API, actor_token: actors[i % 3]!, actor_token_type: TX.jwt }, DEMO, f);
      expect(r.status, JSON.stringify(r.json)).toBe(200);
      t = r.json.access_token as string;
    }
    const act = jwtParts(t).payload.act;
    // The newest actor outermost (RFC 8693 §4.1), another issuer's named in its namespace.
    const names: string[] = [];
    for (let a = act as { sub: string; iss?: string; act?: unknown } | undefined; a; a = a.act as typeof a) names.push(a.iss ? `${a.iss}#${a.sub}` : a.sub);
    expect(names).toEqual([`${IDP}#carol`, "bob", "alice", `${IDP}#carol`, "bob", "alice", `${IDP}#carol`, "bob"]);

    for (const kind of ["saml2", "saml1"] as const) {
      const s = await exchange({ subject_token: t, subject_token_type: TX.jwt, audience: RP, requested_token_type: TX[kind] }, DEMO, f);
      expect(s.status, JSON.stringify(s.json)).toBe(200);
      const saml = s.json.access_token as string;
      expect(actorValues(unb64url(saml), kind), kind).toEqual(names);
      // Introspection of the SAML token states the same chain.
      expect((await post("/oauth2/introspect", { token: saml }, DEMO, f)).json.act, kind).toEqual(act);
      // Exchanged back, the JWT nests the same chain...
      const back = await exchange({ subject_token: saml, subject_token_type: TX[kind], audience: API }, DEMO, f);
      expect(back.status, JSON.stringify(back.json)).toBe(200);
      expect(jwtParts(back.json.access_token as string).payload.act, kind).toEqual(act);
      // ...and neither it nor the SAML token takes a ninth actor.
      for (const [subject, type] of [[saml, TX[kind]], [back.json.access_token as string, TX.jwt]] as const) {
        const over = await exchange({ subject_token: subject, subject_token_type: type, audience: API, actor_token: actors[0]!, actor_token_type: TX.jwt }, DEMO, f);
        expect([over.status, over.json.error], kind).toEqual([400, "invalid_request"]);
      }
    }
  });

  it("WS-Trust ActAs writes the earlier chain after the requestor; OnBehalfOf keeps it as it is (SAML 2.0 and 1.1)", async () => {
    const delegated = (await exchange({ subject_token: await wsJwt("alice", "wonderland"), subject_token_type: TX.jwt, audience: API, actor_token: await idpToken(), actor_token_type: TX.jwt }, DEMO, f)).json.access_token as string;
    expect(jwtParts(delegated).payload.act).toEqual({ sub: "carol", iss: IDP });
    for (const [kind, tokenType] of [["saml2", TT.saml2], ["saml1", TT.saml1]] as const) {
      const actAs = await trustWith(f, { ...GATEWAY, appliesTo: RP, tokenType, extra: `<wst14:ActAs xmlns:wst14="${WST14}">${jwtBst(delegated)}</wst14:ActAs>` });
      expect(actAs.fault, kind).toBeUndefined();
      const a = assertionIn(actAs.text)!;
      expect(actorValues(a, kind), kind).toEqual(["gateway", `${IDP}#carol`]);
      const back = await exchange({ subject_token: b64url(a), subject_token_type: TX[kind], audience: API }, DEMO, f);
      expect(jwtParts(back.json.access_token as string).payload.act, kind).toEqual({ sub: "gateway", act: { sub: "carol", iss: IDP } });

      const obo = await trustWith(f, { ...GATEWAY, appliesTo: RP, tokenType, extra: `<wst:OnBehalfOf>${jwtBst(delegated)}</wst:OnBehalfOf>` });
      expect(obo.fault, kind).toBeUndefined();
      expect(actorValues(assertionIn(obo.text)!, kind), kind).toEqual([`${IDP}#carol`]);
    }
  });
});
