/**
 * WS-Addressing reference parameters, black box: the reference parameters of wsa:ReplyTo come
 * back on the reply, and those of wsa:FaultTo (else wsa:ReplyTo) on a fault, as header blocks
 * — WS-Addressing 1.0 SOAP Binding §2.3 marks each wsa:IsReferenceParameter="true"; the 2004/08
 * submission copies its reference properties and parameters as they are. Read back as XML, by
 * namespace, not as text.
 */
import { DOMParser, type Element } from "@xmldom/xmldom";
import { describe, expect, it } from "vitest";
import { NS, type RstOptions, envelope } from "../helpers/soap.ts";
import { call, faultCode } from "../helpers/worker.ts";

const ALICE = { user: "alice", password: "wonderland", appliesTo: "urn:example:rp" };
const WSA04 = "http://schemas.xmlsoap.org/ws/2004/08/addressing";
const CORR = "urn:example:correlation";
const anonymous = (ns: string) => (ns === WSA04 ? `${WSA04}/role/anonymous` : `${NS.wsa}/anonymous`);

async function send(o: RstOptions, edit: (body: string) => string = (b) => b, path = "/trust/13/usernamemixed") {
  const e = envelope(o);
  const res = await call(path, { method: "POST", headers: e.headers, body: edit(e.body) });
  const text = await res.text();
  const doc = new DOMParser().parseFromString(text, "text/xml");
  const soapNs = doc.documentElement!.namespaceURI!;
  const header = Array.from(doc.documentElement!.getElementsByTagNameNS(soapNs, "Header"))[0]!;
  const blocks = Array.from(header.childNodes).filter((n): n is Element => n.nodeType === 1);
  return { status: res.status, text, fault: faultCode(text), blocks, params: blocks.filter((b) => b.namespaceURI !== NS.wsa && b.namespaceURI !== WSA04) };
}

/** An endpoint reference with reference parameters, in the `wsa` prefix's namespace. */
const epr = (name: string, params: string, ns: string, holder = "ReferenceParameters") =>
  `<wsa:${name}><wsa:Address>${anonymous(ns)}</wsa:Address><wsa:${holder}>${params}</wsa:${holder}></wsa:${name}>`;

/** The message in the 2004/08 submission namespace instead of WS-Addressing 1.0. */
const to04 = (b: string) => b.replace(`xmlns:wsa="${NS.wsa}"`, `xmlns:wsa="${WSA04}"`).replace(/(<wsa:To[^>]*>)[^<]*/, "$1http://127.0.0.1/trust/13/usernamemixed");

describe("wsa:ReplyTo / wsa:FaultTo reference parameters come back as header blocks", () => {
  for (const soap of ["1.1", "1.2"] as const) {
    for (const ns of [NS.wsa, WSA04]) {
      const v = ns === WSA04 ? "2004/08" : "1.0";
      it(`on the reply and on a fault, SOAP ${soap}, WS-Addressing ${v}`, async () => {
        const params = `<c:Corr xmlns:c="${CORR}">abc-123</c:Corr><d:Session xmlns:d="urn:example:d" d:kind="x"><d:Id>42</d:Id></d:Session>`;
        const edit = ns === WSA04 ? to04 : undefined;
        const ok = await send({ ...ALICE, soap, extraHeaders: epr("ReplyTo", params, ns) }, edit);
        expect(ok.status, ok.text).toBe(200);
        expect(ok.params.map((p) => [p.namespaceURI, p.localName])).toEqual([[CORR, "Corr"], ["urn:example:d", "Session"]]);
        expect(ok.params[0]!.textContent).toBe("abc-123");
        expect(ok.params[1]!.getAttributeNS("urn:example:d", "kind")).toBe("x");
        expect(ok.params[1]!.getElementsByTagNameNS("urn:example:d", "Id")[0]!.textContent).toBe("42");
        for (const p of ok.params) {
          if (ns === NS.wsa) expect(p.getAttributeNS(NS.wsa, "IsReferenceParameter")).toBe("true");
          else expect(p.hasAttributeNS(NS.wsa, "IsReferenceParameter")).toBe(false);
        }
        // A fault goes to FaultTo when there is one (Core §3.4), else to ReplyTo.
        const bad = { ...ALICE, password: "wrong", soap };
        const toReply = await send({ ...bad, extraHeaders: epr("ReplyTo", params, ns) }, edit);
        expect(toReply.fault).toBe("wst:FailedAuthentication");
        expect(toReply.params.map((p) => p.localName)).toEqual(["Corr", "Session"]);
        const toFault = await send({ ...bad, extraHeaders: epr("ReplyTo", params, ns) + epr("FaultTo", `<f:OnFault xmlns:f="urn:example:f">1</f:OnFault>`, ns) }, edit);
        expect(toFault.params.map((p) => [p.namespaceURI, p.localName])).toEqual([["urn:example:f", "OnFault"]]);
      });
    }
  }

  it("2004/08 reference properties come back too; without reference parameters nothing is added", async () => {
    const r = await send({ ...ALICE, extraHeaders: epr("ReplyTo", `<c:P xmlns:c="${CORR}">p</c:P>`, WSA04, "ReferenceProperties") }, to04);
    expect(r.params.map((p) => p.localName)).toEqual(["P"]);
    const none = await send({ ...ALICE, extraHeaders: `<wsa:ReplyTo><wsa:Address>${NS.wsa}/anonymous</wsa:Address></wsa:ReplyTo>` });
    expect(none.status).toBe(200);
    expect(none.params).toEqual([]);
  });

  it("the metadata endpoint's reply carries them too", async () => {
    const body = `<s:Envelope xmlns:s="${NS.s12}" xmlns:wsa="${NS.wsa}"><s:Header><wsa:Action s:mustUnderstand="1">http://schemas.xmlsoap.org/ws/2004/09/transfer/Get</wsa:Action><wsa:MessageID>urn:uuid:1</wsa:MessageID>${epr("ReplyTo", `<c:Corr xmlns:c="${CORR}">mex</c:Corr>`, NS.wsa)}<wsa:To s:mustUnderstand="1">http://127.0.0.1/trust/mex</wsa:To></s:Header><s:Body/></s:Envelope>`;
    const res = await call("/trust/mex", { method: "POST", headers: { "content-type": "application/soap+xml; charset=utf-8" }, body });
    const text = await res.text();
    expect(res.status, text).toBe(200);
    expect(text).toContain(`<c:Corr xmlns:c="${CORR}" xmlns:wsa="${NS.wsa}" wsa:IsReferenceParameter="true">mex</c:Corr>`);
  });

  it("hostile content is written back as escaped, well-formed XML in its own namespaces; a prefix clash gets another prefix", async () => {
    // Markup in text and attributes, a CDATA section closing the Header, a comment: all data.
    const params = `<c:Corr xmlns:c="${CORR}" c:a="x&quot;&lt;/s:Header&gt;"><![CDATA[</s:Header><s:Body>evil</s:Body>]]><!-- note --></c:Corr><wsa:X xmlns:wsa="urn:example:not-wsa">y</wsa:X>`;
    const r = await send({ ...ALICE, extraHeaders: epr("ReplyTo", params, NS.wsa).replace("<wsa:ReplyTo>", `<wsa:ReplyTo xmlns:wsa="${NS.wsa}">`) });
    expect(r.status, r.text).toBe(200);
    expect(r.params).toHaveLength(2);
    expect(r.params[0]!.getAttributeNS(CORR, "a")).toBe('x"</s:Header>');
    expect(r.params[0]!.textContent).toBe("</s:Header><s:Body>evil</s:Body>");
    expect(r.text).not.toContain("note");
    expect(r.text).not.toContain("<s:Body>evil");
    // The parameter's own `wsa` prefix names another namespace: the marker takes a free one.
    expect([r.params[1]!.namespaceURI, r.params[1]!.localName]).toEqual(["urn:example:not-wsa", "X"]);
    expect(r.params[1]!.getAttributeNS(NS.wsa, "IsReferenceParameter")).toBe("true");
  });

  it("too many, too long, unqualified or SOAP / WS-Addressing namespaced parameters are refused, and not written back", async () => {
    const many = Array.from({ length: 17 }, (_, i) => `<c:P${i} xmlns:c="${CORR}"/>`).join("");
    const long = `<c:Big xmlns:c="${CORR}">${"x".repeat(9000)}</c:Big>`;
    for (const [params, why] of [
      [many, "more than 16 reference parameters"],
      [long, "longer than 8192 characters"],
      ["<Plain>1</Plain>", "has no namespace"],
      [`<wsa:Action>urn:forged</wsa:Action>`, "SOAP or WS-Addressing namespace"],
      [`<e:Body xmlns:e="${NS.s12}"/>`, "SOAP or WS-Addressing namespace"],
      // No canonical form to write it back in (C14N 1.0 §2.1): a refusal, not a 500.
      [`<r:P xmlns:r="relative">1</r:P>`, "declares a relative namespace URI"],
      [`<c:P xmlns:c="${CORR}"><r:Q xmlns:r="relative"/></c:P>`, "declares a relative namespace URI"],
    ] as const) {
      const r = await send({ ...ALICE, extraHeaders: epr("ReplyTo", params, NS.wsa) });
      expect(r.fault, why).toBe("wsa:InvalidAddressingHeader");
      expect(r.text).toContain(why);
      expect(r.params).toEqual([]);
      expect(r.text).not.toContain("xxxxxxxxxx");
      expect(r.text).not.toContain("Assertion");
    }
    // Sixteen short ones are fine.
    const sixteen = await send({ ...ALICE, extraHeaders: epr("ReplyTo", Array.from({ length: 16 }, (_, i) => `<c:P${i} xmlns:c="${CORR}"/>`).join(""), NS.wsa) });
    expect(sixteen.status).toBe(200);
    expect(sixteen.params).toHaveLength(16);
  });
});
