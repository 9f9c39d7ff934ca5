/**
 * SOAP and WS-Trust strictness: what a message says about its receiver, its operation and its
 * parameters is read exactly one way, or refused.
 *
 * - a wsse:Security header addressed to another SOAP node (role / actor) authenticates nothing
 *   here (SOAP 1.2 Part 1 §2.2, SOAP 1.1 §4.2.2);
 * - mustUnderstand and every other xs:boolean we read mean what XML Schema says they mean,
 *   whitespace collapsed; any other value is refused;
 * - the SOAP action (SOAPAction, the SOAP 1.2 `action` parameter) and wsa:Action name the
 *   operation the Body asks for (WS-Trust 1.3 §4), WS-Addressing headers appear once, and wsa:To
 *   names this endpoint;
 * - an RST child we read appears at most once.
 */
import { DOMParser, type Element } from "@xmldom/xmldom";
import { describe, expect, it } from "vitest";
import { env } from "cloudflare:test";
import { NS, type RstOptions, TT, envelope } from "../helpers/soap.ts";
import { call, faultCode, trust } from "../helpers/worker.ts";
import { STATUS_INVALID, STATUS_VALID, VALIDATOR, statusCode, validateStatus } from "./helpers.ts";

const ALICE = { user: "alice", password: "wonderland", appliesTo: "urn:example:rp" };
const ROLE = "http://www.w3.org/2003/05/soap-envelope/role";
const WSA = NS.wsa;
const WSA04 = "http://schemas.xmlsoap.org/ws/2004/08/addressing";
const WSP15 = "http://www.w3.org/ns/ws-policy";
const SECURITY_OPEN = `<wsse:Security s:mustUnderstand="1">`;

interface Sent {
  status: number;
  text: string;
  fault: string | undefined;
}

/**
 * Sends the helper's envelope after `edit` rewrote its text and `headers` replaced HTTP headers
 * (a header set to null is removed), to `path` (default: the endpoint of the trust version).
 */
async function send(
  o: RstOptions,
  mod: { edit?: (body: string) => string; headers?: Record<string, string | null>; path?: string } = {},
): Promise<Sent> {
  const e = envelope(o);
  const headers: Record<string, string> = { ...e.headers };
  for (const [k, v] of Object.entries(mod.headers ?? {})) {
    for (const h of Object.keys(headers)) if (h.toLowerCase() === k.toLowerCase()) delete headers[h];
    if (v !== null) headers[k] = v;
  }
  const body = mod.edit ? mod.edit(e.body) : e.body;
  const res = await call(mod.path ?? `/trust/${o.trust ?? "13"}/usernamemixed`, { method: "POST", headers, body });
  const text = await res.text();
  return { status: res.status, text, fault: faultCode(text) };
}

/** Replaces exactly one occurrence (so a test never silently edits nothing). */
function once(body: string, from: string, to: string): string {
  const at = body.indexOf(from);
  expect(at, `'${from}' in the request`).toBeGreaterThanOrEqual(0);
  expect(body.indexOf(from, at + 1)).toBe(-1);
  return body.slice(0, at) + to + body.slice(at + from.length);
}

const assertion = (text: string) => /<saml:Assertion[\s\S]*?<\/saml:Assertion>/.exec(text)?.[0];

async function aliceToken(): Promise<string> {
  const r = await trust({ ...ALICE, tokenType: TT.saml2 });
  expect(r.status).toBe(200);
  return assertion(r.text)!;
}

/** Sets an attribute on the one wsse:Security header of the helper's envelope. */
const securityAttr = (attr: string) => (b: string) => once(b, SECURITY_OPEN, `<wsse:Security s:mustUnderstand="1" ${attr}>`);

/** A second wsse:Security header (placed after the helper's) carrying `user` / `password`. */
function secondSecurity(attr: string, user: string, password: string): string {
  return (
    `<wsse:Security ${attr}><wsse:UsernameToken><wsse:Username>${user}</wsse:Username>` +
    `<wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText">${password}</wsse:Password>` +
    `</wsse:UsernameToken></wsse:Security>`
  );
}

describe("a wsse:Security header for another SOAP node authenticates nothing", () => {
  const others: [string, "1.1" | "1.2", string][] = [
    ["SOAP 1.2 role none", "1.2", `s:role="${ROLE}/none"`],
    ["SOAP 1.2 role of another node", "1.2", `s:role="urn:other-node"`],
    ["SOAP 1.2 role of another node, padded", "1.2", `s:role="  urn:other-node "`],
    ["SOAP 1.2 empty role", "1.2", `s:role=""`],
    ["SOAP 1.1 actor of another node", "1.1", `s:actor="urn:other"`],
  ];
  for (const [name, soap, attr] of others) {
    it(`${name}: the request is unauthenticated`, async () => {
      const r = await send({ ...ALICE, soap }, { edit: securityAttr(attr) });
      expect(r.fault).toBe("wst:FailedAuthentication");
      expect(r.text).not.toContain("Assertion");
    });
  }

  const ours: [string, "1.1" | "1.2", string][] = [
    ["SOAP 1.2 role next", "1.2", `s:role="${ROLE}/next"`],
    ["SOAP 1.2 role ultimateReceiver", "1.2", `s:role=" ${ROLE}/ultimateReceiver "`],
    ["SOAP 1.1 actor next", "1.1", `s:actor="http://schemas.xmlsoap.org/soap/actor/next"`],
  ];
  for (const [name, soap, attr] of ours) {
    it(`${name}: the header is ours and authenticates`, async () => {
      const r = await send({ ...ALICE, soap }, { edit: securityAttr(attr) });
      expect(r.status).toBe(200);
      expect(assertion(r.text)).toContain(">alice<");
    });
  }

  it("only the Security header targeted at us counts when several are sent", async () => {
    // Ours has a wrong password; another node's has alice's right one: no token.
    const wrongOurs = await send({ ...ALICE, password: "nope" }, { edit: (b) => once(b, "</wsse:Security>", `</wsse:Security>${secondSecurity(`s:role="urn:other-node"`, "alice", "wonderland")}`) });
    expect(wrongOurs.fault).toBe("wst:FailedAuthentication");
    // Ours is right; another node's names bob with a wrong password: alice's token.
    const rightOurs = await send(ALICE, { edit: (b) => once(b, "</wsse:Security>", `</wsse:Security>${secondSecurity(`s:role="urn:other-node"`, "bob", "nope")}`) });
    expect(rightOurs.status).toBe(200);
    expect(assertion(rightOurs.text)).toContain(">alice<");
  });

  it("two Security headers targeted at us are refused", async () => {
    for (const [soap, attr] of [["1.2", `s:role="${ROLE}/ultimateReceiver"`], ["1.1", `s:actor="http://schemas.xmlsoap.org/soap/actor/next"`]] as const) {
      const r = await send({ ...ALICE, soap }, { edit: (b) => once(b, "</wsse:Security>", `</wsse:Security>${secondSecurity(attr, "alice", "wonderland")}`) });
      expect(r.fault).toBe("wst:BadRequest");
      expect(r.text).toContain("wsse:Security");
      expect(r.text).not.toContain("Assertion");
    }
  });
});

describe("a message signature at usernamemixed is refused, never ignored unread (WS-Security 1.1 §8.4)", () => {
  // Digest and value are made up: ignored unread, the signature would let anyone who changed
  // the Body in transit pass it off as the signer's.
  const signature =
    `<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo>` +
    `<ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>` +
    `<ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>` +
    `<ds:Reference URI="#uuid-1"><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms>` +
    `<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue>AAAA</ds:DigestValue></ds:Reference>` +
    `</ds:SignedInfo><ds:SignatureValue>AAAA</ds:SignatureValue></ds:Signature>`;
  for (const [soap, t] of [["1.2", "13"], ["1.1", "2005"]] as const) {
    it(`SOAP ${soap}, WS-Trust ${t}: a signed UsernameToken request gets no token`, async () => {
      const control = await send({ ...ALICE, soap, trust: t });
      expect(control.status).toBe(200);
      const r = await send({ ...ALICE, soap, trust: t }, { edit: (b) => once(b, "</wsse:Security>", `${signature}</wsse:Security>`) });
      expect(r.fault).toBe("wst:FailedAuthentication");
      expect(r.text).toContain("The message is signed, but this endpoint authenticates by the UsernameToken");
      expect(r.text).not.toContain("Assertion");
    });
  }

  it("a signature in another node's Security header is that node's business", async () => {
    const other = `<wsse:Security s:role="urn:other-node">${signature}</wsse:Security>`;
    const r = await send(ALICE, { edit: (b) => once(b, "</wsse:Security>", `</wsse:Security>${other}`) });
    expect(r.status).toBe(200);
    expect(assertion(r.text)).toContain(">alice<");
  });
});

describe("a derived-key UsernameToken (wsse11:Salt, wsse11:Iteration) is refused as unsupported", () => {
  const WSSE11 = "http://docs.oasis-open.org/wss/oasis-wss-wssecurity-secext-1.1.xsd";
  const salt = `<wsse11:Salt xmlns:wsse11="${WSSE11}">AAECAwQFBgcICQoLDA0ODw==</wsse11:Salt>`;
  const iteration = `<wsse11:Iteration xmlns:wsse11="${WSSE11}">1000</wsse11:Iteration>`;
  const password = /<wsse:Password [^>]*>wonderland<\/wsse:Password>/;
  const cases: [string, (b: string) => string][] = [
    // Username Token Profile 1.1 §4: the password is derived from, never sent.
    ["Salt and Iteration instead of a Password", (b) => b.replace(password, salt + iteration)],
    ["Salt and Iteration beside the right Password", (b) => once(b, "</wsse:UsernameToken>", `${salt}${iteration}</wsse:UsernameToken>`)],
    ["a Salt alone beside the right Password", (b) => once(b, "</wsse:UsernameToken>", `${salt}</wsse:UsernameToken>`)],
  ];
  for (const [name, edit] of cases) {
    it(`${name}: wsse:UnsupportedSecurityToken, no token`, async () => {
      const r = await send(ALICE, { edit: (b) => { const e = edit(b); expect(e).not.toBe(b); return e; } });
      expect(r.fault).toBe("wsse:UnsupportedSecurityToken");
      expect(r.text).toContain("Derived-key UsernameTokens");
      expect(r.text).not.toContain("Assertion");
    });
  }
});

describe("mustUnderstand and other xs:boolean attributes", () => {
  const truthy: [string, "1.1" | "1.2"][] = [
    [" true", "1.2"],
    ["true ", "1.2"],
    ["  1", "1.2"],
    ["\ttrue\n", "1.2"],
    [" 1 ", "1.1"],
    ["true", "1.1"],
  ];
  for (const [value, soap] of truthy) {
    it(`mustUnderstand=${JSON.stringify(value)} (SOAP ${soap}) on an unknown header → MustUnderstand`, async () => {
      const attr = value.replace(/\t/g, "&#9;").replace(/\n/g, "&#10;");
      const r = await send({ ...ALICE, soap, extraHeaders: `<x:Foo xmlns:x="urn:x" s:mustUnderstand="${attr}"/>` });
      expect(r.fault).toBe("s:MustUnderstand");
      expect(r.text).not.toContain("Assertion");
    });
  }

  for (const [value, soap] of [[" false ", "1.2"], ["0", "1.2"], [" 0", "1.1"], ["false", "1.1"]] as const) {
    it(`mustUnderstand=${JSON.stringify(value)} (SOAP ${soap}) on an unknown header is optional`, async () => {
      const r = await send({ ...ALICE, soap, extraHeaders: `<x:Foo xmlns:x="urn:x" s:mustUnderstand="${value}"/>` });
      expect(r.status).toBe(200);
    });
  }

  for (const value of ["yes", "", "TRUE", "2", "t rue"]) {
    for (const soap of ["1.1", "1.2"] as const) {
      it(`mustUnderstand=${JSON.stringify(value)} (SOAP ${soap}) is not a boolean → sender fault`, async () => {
        const r = await send({ ...ALICE, soap, extraHeaders: `<x:Foo xmlns:x="urn:x" s:mustUnderstand="${value}"/>` });
        expect(r.fault).toBe("wst:BadRequest");
        expect(r.text).toContain("mustUnderstand");
        expect(r.text).not.toContain("Assertion");
      });
    }
  }

  it("wst:Renewing Allow and OK read as xs:boolean: padded values count, others are refused", async () => {
    const padded = await trust({ ...ALICE, tokenType: TT.saml2, extra: `<wst:Renewing Allow=" false "/>` });
    const tok = assertion(padded.text)!;
    const renew = await trust({ ...VALIDATOR, requestType: "Renew", extra: `<wst:RenewTarget>${tok}</wst:RenewTarget>` });
    expect(renew.status).not.toBe(200);
    expect(faultCode(renew.text)).toBe("wst:UnableToRenew");
    const renewable = await trust({ ...ALICE, tokenType: TT.saml2, extra: `<wst:Renewing Allow=" 1"/>` });
    const tok2 = assertion(renewable.text)!;
    expect(tok2).not.toContain('ID="_nr-');
    for (const bad of [`Allow="yes"`, `Allow=""`, `OK="no"`, `Allow="True"`]) {
      const r = await trust({ ...ALICE, tokenType: TT.saml2, extra: `<wst:Renewing ${bad}/>` });
      expect(faultCode(r.text), bad).toBe("wst:InvalidRequest");
      expect(r.text).toContain("Renewing");
      expect(r.text).not.toContain("Assertion");
    }
  });

  it("xs:anyURI attributes are read with whitespace collapsed (Password Type, BinarySecurityToken ValueType)", async () => {
    const pw = await send(ALICE, { edit: (b) => b.replace(/Type="(http[^"]+#PasswordText)"/, 'Type=" $1 "') });
    expect(pw.status).toBe(200);
    const jwt = await trust({ ...ALICE, appliesTo: "https://api.example.com/", tokenType: TT.jwt });
    const bst = /<wsse:BinarySecurityToken[\s\S]*?<\/wsse:BinarySecurityToken>/.exec(jwt.text)![0].replace(/ValueType="([^"]+)"/, 'ValueType="  $1 "');
    const v = await trust({ ...VALIDATOR, requestType: "Validate", tokenType: `${NS.t13}/RSTR/Status`, extra: `<wst:ValidateTarget>${bst}</wst:ValidateTarget>` });
    expect(statusCode(v.text)).toBe(STATUS_VALID);
  });
});

describe("element values are trimmed of XML white space only", () => {
  it("a Username, RequestType or wsa:Action with a no-break space, U+3000, U+FEFF or U+2028 at an end is that other value; space, tab, CR and LF around it are trimmed", async () => {
    for (const odd of ["\u00a0", "\u3000", "\ufeff", "\u2028"]) {
      const user = await trust({ ...ALICE, user: `${odd}alice` });
      expect([user.status, faultCode(user.text)], JSON.stringify(odd)).toEqual([400, "wst:FailedAuthentication"]);
      // The request type (and the action, which names it) `…/Issue` followed by the character.
      const issue = await trust({ ...ALICE, requestType: `Issue${odd}` as "Issue" });
      expect(issue.status, JSON.stringify(odd)).not.toBe(200);
      expect(issue.text).not.toContain("Assertion");
    }
    const spaced = await trust({ ...ALICE, user: " \talice\r\n", appliesTo: "\n urn:example:rp\t" });
    expect(spaced.status, spaced.text).toBe(200);
    expect(spaced.text).toContain(">alice<");
  });
});

describe("the SOAP action names the operation in the Body", () => {
  const cancelOf = (tok: string) => ({ ...VALIDATOR, requestType: "Cancel" as const, extra: `<wst:CancelTarget>${tok}</wst:CancelTarget>` });
  const CANCEL = `${NS.t13}/RST/Cancel`;
  const VALIDATE = `${NS.t13}/RST/Validate`;

  it("a Cancel sent as Validate (SOAP 1.2 action parameter and wsa:Action) is refused and cancels nothing", async () => {
    const tok = await aliceToken();
    const r = await send(cancelOf(tok), {
      edit: (b) => once(b, `>${CANCEL}</wsa:Action>`, `>${VALIDATE}</wsa:Action>`),
      headers: { "content-type": `application/soap+xml; charset=utf-8; action="${VALIDATE}"` },
    });
    expect(r.fault).toBe("wsa:ActionNotSupported");
    expect(r.text).toContain(VALIDATE);
    expect(r.text).not.toContain("RequestedTokenCancelled");
    expect((await validateStatus(tok)).code).toBe(STATUS_VALID);
  });

  it("a Cancel sent with SOAPAction Validate (SOAP 1.1, no wsa:Action) is refused and cancels nothing", async () => {
    const tok = await aliceToken();
    const r = await send(
      { ...cancelOf(tok), soap: "1.1" },
      { edit: (b) => b.replace(/<wsa:Action[^>]*>[^<]*<\/wsa:Action>/, ""), headers: { SOAPAction: `"${VALIDATE}"` } },
    );
    expect(r.fault).toBe("wsa:ActionNotSupported");
    expect((await validateStatus(tok)).code).toBe(STATUS_VALID);
  });

  it("MSAL's and ADAL's SOAP 1.2 SOAPAction header is checked too", async () => {
    const tok = await aliceToken();
    const r = await send(cancelOf(tok), {
      edit: (b) => b.replace(/<wsa:Action[^>]*>[^<]*<\/wsa:Action>/, ""),
      headers: { "content-type": "application/soap+xml; charset=utf-8", SOAPAction: VALIDATE },
    });
    expect(r.fault).toBe("wsa:ActionNotSupported");
    expect((await validateStatus(tok)).code).toBe(STATUS_VALID);
  });

  it("an HTTP action that disagrees with wsa:Action is refused (wsa:InvalidAddressingHeader / ActionMismatch)", async () => {
    const tok = await aliceToken();
    for (const soap of ["1.1", "1.2"] as const) {
      const headers: Record<string, string> =
        soap === "1.2" ? { "content-type": `application/soap+xml; charset=utf-8; action="${VALIDATE}"` } : { SOAPAction: `"${VALIDATE}"` };
      const r = await send({ ...cancelOf(tok), soap }, { headers });
      expect(r.fault, soap).toBe("wsa:InvalidAddressingHeader");
      if (soap === "1.2") expect(r.text).toContain("wsa:ActionMismatch");
    }
    expect((await validateStatus(tok)).code).toBe(STATUS_VALID);
  });

  it("an action of the other WS-Trust version is refused", async () => {
    const r = await send(ALICE, {
      edit: (b) => once(b, `>${NS.t13}/RST/Issue<`, `>${NS.t05}/RST/Issue<`),
      headers: { "content-type": `application/soap+xml; charset=utf-8; action="${NS.t05}/RST/Issue"` },
    });
    expect(r.fault).toBe("wsa:ActionNotSupported");
  });

  it("an RST of the other WS-Trust version than the endpoint's is refused, naming the endpoint for its version (as AD FS's /13/ and /2005/ endpoints are apart)", async () => {
    const cases: { o: RstOptions; path: string; fault: string; ns: string; names: string }[] = [
      { o: { ...ALICE, tokenType: TT.saml2 }, path: "/trust/2005/usernamemixed", fault: "wst:InvalidRequest", ns: NS.t13, names: "/trust/13/usernamemixed" },
      { o: { ...ALICE, tokenType: TT.saml2, trust: "2005" }, path: "/trust/13/usernamemixed", fault: "wst:InvalidRequest", ns: NS.t05, names: "/trust/2005/usernamemixed" },
      { o: { ...ALICE, tokenType: TT.saml2, soap: "1.1" }, path: "/trust/2005/certificatemixed", fault: "wst:InvalidRequest", ns: NS.t13, names: "/trust/13/certificatemixed" },
      { o: { ...ALICE, tokenType: TT.saml2, trust: "2005" }, path: "/trust/13/issuedtokenmixedsymmetricbasic256", fault: "wst:InvalidRequest", ns: NS.t05, names: "/trust/2005/issuedtokenmixedsymmetricbasic256" },
      { o: { ...ALICE, tokenType: TT.saml2 }, path: "/adfs/services/trust/2005/usernamemixed", fault: "wst:InvalidRequest", ns: NS.t13, names: "/adfs/services/trust/13/usernamemixed" },
    ];
    for (const c of cases) {
      const r = await send({ ...c.o, to: `http://127.0.0.1${c.path}` }, { path: c.path });
      expect(r.fault, `${c.path}: ${r.text}`).toBe(c.fault);
      // In the request's own WS-Trust namespace, which its sender reads; no token.
      expect(r.text).toContain(`xmlns:wst="${c.ns}"`);
      expect(r.text).not.toContain("RequestedSecurityToken");
      expect(r.text).toMatch(new RegExp(`send WS-Trust [^<]* requests to http://127\\.0\\.0\\.1(:\\d+)?${c.names.replace(/\//g, "\\/")}\\.`));
      if (c.o.soap === "1.1") expect(r.text).toContain("<detail/>");
    }
    // Each version at its own endpoint is served.
    expect((await send({ ...ALICE, tokenType: TT.saml2, trust: "2005", to: "http://127.0.0.1/trust/2005/usernamemixed" }, { path: "/trust/2005/usernamemixed" })).status).toBe(200);
    expect((await send({ ...ALICE, tokenType: TT.saml2 }, { path: "/trust/13/usernamemixed" })).status).toBe(200);
  });

  it("a request with no action anywhere is read from its Body; an empty SOAPAction means no action", async () => {
    for (const soapAction of [null, '""', ""]) {
      const r = await send(
        { ...ALICE, soap: "1.1" },
        { edit: (b) => b.replace(/<wsa:Action[^>]*>[^<]*<\/wsa:Action>/, ""), headers: { SOAPAction: soapAction } },
      );
      expect(r.status, String(soapAction)).toBe(200);
    }
    const r12 = await send(ALICE, { edit: (b) => b.replace(/<wsa:Action[^>]*>[^<]*<\/wsa:Action>/, ""), headers: { "content-type": "application/soap+xml; charset=utf-8" } });
    expect(r12.status).toBe(200);
  });

  it("a batch of Cancels sent as Validate is refused and cancels nothing; a mixed batch is refused", async () => {
    const tok = await aliceToken();
    const item = (kind: string, t: string) =>
      `<wst:RequestSecurityToken><wst:RequestType>${NS.t13}/Batch${kind}</wst:RequestType><wst:${kind}Target>${t}</wst:${kind}Target></wst:RequestSecurityToken>`;
    const rstc = (items: string) => `<wst:RequestSecurityTokenCollection xmlns:wst="${NS.t13}">${items}</wst:RequestSecurityTokenCollection>`;
    const asValidate = await send({ ...VALIDATOR, requestType: "Validate", body: rstc(item("Cancel", tok) + item("Cancel", tok)) });
    expect(asValidate.fault).toBe("wsa:ActionNotSupported");
    const mixed = await send({ ...VALIDATOR, requestType: "Validate", body: rstc(item("Validate", tok) + item("Cancel", tok)) });
    expect(mixed.fault).toBe("wst:InvalidRequest");
    expect(mixed.text).toContain("same operation");
    expect((await validateStatus(tok)).code).toBe(STATUS_VALID);
    // The same batch with its own action is served.
    const ok = await send({ ...VALIDATOR, requestType: "Cancel", body: rstc(item("Cancel", tok)) });
    expect(ok.status).toBe(200);
    expect((await validateStatus(tok)).code).toBe(STATUS_INVALID);
  });
});

describe("WS-Addressing headers: one of each, and wsa:To names this endpoint", () => {
  const repeated: [string, string][] = [
    ["Action", `<wsa:Action>${NS.t13}/RST/Issue</wsa:Action>`],
    ["To", `<wsa:To>http://127.0.0.1/trust/13/usernamemixed</wsa:To>`],
    ["MessageID", `<wsa:MessageID>urn:uuid:2</wsa:MessageID>`],
    ["ReplyTo", `<wsa:ReplyTo><wsa:Address>${WSA}/anonymous</wsa:Address></wsa:ReplyTo><wsa:ReplyTo><wsa:Address>${WSA}/anonymous</wsa:Address></wsa:ReplyTo>`],
  ];
  for (const [name, extra] of repeated) {
    it(`a repeated wsa:${name} is refused (InvalidCardinality)`, async () => {
      for (const soap of ["1.1", "1.2"] as const) {
        const r = await send({ ...ALICE, soap, extraHeaders: extra });
        expect(r.fault, soap).toBe("wsa:InvalidAddressingHeader");
        expect(r.text).toContain(name);
        if (soap === "1.2") expect(r.text).toContain("wsa:InvalidCardinality");
        expect(r.text).not.toContain("Assertion");
      }
    });
  }

  it("two wsa:Action headers, one Issue and one Cancel, are refused", async () => {
    const r = await send({ ...ALICE, extraHeaders: `<wsa:Action>${NS.t13}/RST/Cancel</wsa:Action>` });
    expect(r.fault).toBe("wsa:InvalidAddressingHeader");
  });

  it("a message in WS-Addressing 2004/08 gets that version's fault names and anonymous address", async () => {
    const to04 = (b: string) => b.replace(`xmlns:wsa="${WSA}"`, `xmlns:wsa="${WSA04}"`);
    const ok = await send(ALICE, { edit: (b) => to04(b).replace(/(<wsa:To[^>]*>)[^<]*/, `$1${WSA04}/role/anonymous`) });
    expect(ok.status).toBe(200);
    const r = await send({ ...ALICE, extraHeaders: `<wsa:MessageID>urn:uuid:2</wsa:MessageID>` }, { edit: to04 });
    expect(r.fault).toBe("wsa:InvalidMessageInformationHeader");
    expect(r.text).toContain(`xmlns:wsa="${WSA04}"`);
    expect(r.text).not.toContain("InvalidCardinality");
  });

  it("a fault's wsa:Action is its WS-Addressing version's fault action (2004/08 §5; 1.0 SOAP Binding §6)", async () => {
    const to04 = (b: string) => b.replace(`xmlns:wsa="${WSA}"`, `xmlns:wsa="${WSA04}"`).replace(/(<wsa:To[^>]*>)[^<]*/, `$1${WSA04}/role/anonymous`);
    const old = await send({ ...ALICE, appliesTo: "urn:nobody", messageId: "urn:uuid:wsa04-fault" }, { edit: to04 });
    expect(old.fault).toBe("wst:InvalidScope");
    expect(old.text).toContain(`xmlns:a="${WSA04}"`);
    expect(old.text).toContain(`<a:Action s:mustUnderstand="1">${WSA04}/fault</a:Action><a:RelatesTo>urn:uuid:wsa04-fault</a:RelatesTo>`);
    const now = await send({ ...ALICE, appliesTo: "urn:nobody" });
    expect(now.fault).toBe("wst:InvalidScope");
    expect(now.text).toContain(`<a:Action s:mustUnderstand="1">${WSA}/soap/fault</a:Action>`);
  });

  it("WS-Addressing headers of both versions in one message are refused", async () => {
    const r = await send({ ...ALICE, extraHeaders: `<w4:Action xmlns:w4="${WSA04}">${NS.t13}/RST/Issue</w4:Action>` });
    expect(r.fault).toBe("wsa:InvalidAddressingHeader");
  });

  it("a WS-Addressing header for another role is not ours and does not count", async () => {
    const r = await send({ ...ALICE, extraHeaders: `<wsa:To s:role="urn:other-node">https://elsewhere.example/</wsa:To>` });
    expect(r.status).toBe(200);
  });

  const elsewhere = [
    "https://other.example/trust/13/usernamemixed",
    "http://127.0.0.1/trust/2005/usernamemixed",
    "http://127.0.0.1/trust/13/usernamemixed/x",
    "ftp://127.0.0.1/trust/13/usernamemixed",
    "urn:other",
    "not a uri",
  ];
  for (const to of elsewhere) {
    it(`wsa:To ${JSON.stringify(to)} names another endpoint → DestinationUnreachable`, async () => {
      const r = await send(ALICE, { edit: (b) => b.replace(/(<wsa:To[^>]*>)[^<]*/, `$1${to}`) });
      expect(r.fault).toBe("wsa:DestinationUnreachable");
      expect(r.text).not.toContain("Assertion");
    });
  }

  const here = [
    "http://127.0.0.1:8787/trust/13/usernamemixed",
    "HTTP://127.0.0.1/trust/13/usernamemixed",
    " http://127.0.0.1/trust/13/usernamemixed?x=1 ",
    `${WSA}/anonymous`,
  ];
  for (const to of here) {
    it(`wsa:To ${JSON.stringify(to)} names this endpoint`, async () => {
      const r = await send(ALICE, { edit: (b) => b.replace(/(<wsa:To[^>]*>)[^<]*/, `$1${to}`) });
      expect(r.status).toBe(200);
    });
  }

  it("no wsa:To is the anonymous endpoint: this one", async () => {
    const r = await send(ALICE, { edit: (b) => b.replace(/<wsa:To[^>]*>[^<]*<\/wsa:To>/, "") });
    expect(r.status).toBe(200);
  });

  it("behind a proxy, wsa:To may name the configured issuer's host", async () => {
    const { app } = await import("../../src/http/app.ts");
    const { DEV_CONFIG, DEV_SECRETS } = await import("../../src/config/dev.ts");
    const e2 = { TOKEN_STATE: env.TOKEN_STATE, REPLAY_CACHE: env.REPLAY_CACHE, ...DEV_SECRETS, STS_CONFIG: JSON.stringify({ ...DEV_CONFIG, issuer: "https://sts.example.com" }) };
    const exec = { waitUntil() {}, passThroughOnException() {}, props: {} } as unknown as ExecutionContext;
    const post = async (to: string) => {
      const m = envelope(ALICE);
      const body = m.body.replace(/(<wsa:To[^>]*>)[^<]*/, `$1${to}`);
      const res = await app.fetch(new Request("http://127.0.0.1:8787/trust/13/usernamemixed", { method: "POST", headers: m.headers, body }), e2, exec);
      return { status: res.status, fault: faultCode(await res.text()) };
    };
    expect((await post("https://sts.example.com/trust/13/usernamemixed")).status).toBe(200);
    expect((await post("http://127.0.0.1:8787/trust/13/usernamemixed")).status).toBe(200);
    expect((await post("https://sts.example.com/trust/2005/usernamemixed")).fault).toBe("wsa:DestinationUnreachable");
    expect((await post("https://evil.example.com/trust/13/usernamemixed")).fault).toBe("wsa:DestinationUnreachable");
  });
});

describe("an RST child we read appears at most once", () => {
  const at = (ns: string, addr: string) =>
    `<wsp:AppliesTo xmlns:wsp="${ns}"><wsa:EndpointReference><wsa:Address>${addr}</wsa:Address></wsa:EndpointReference></wsp:AppliesTo>`;
  const issue = (extra: string) => ({ user: "alice", password: "wonderland", extra });
  const cases: [string, RstOptions, string][] = [
    ["AppliesTo (WS-Policy 1.5, then 2004)", issue(at(WSP15, "urn:example:nobody") + at(NS.wsp, "urn:example:rp")), "AppliesTo"],
    ["AppliesTo (same version twice)", issue(at(NS.wsp, "urn:example:rp") + at(NS.wsp, "urn:example:rp")), "AppliesTo"],
    ["TokenType", { ...ALICE, tokenType: TT.saml2, extra: `<wst:TokenType>${TT.saml1}</wst:TokenType>` }, "TokenType"],
    ["RequestType", { ...ALICE, extra: `<wst:RequestType>${NS.t13}/Cancel</wst:RequestType>` }, "RequestType"],
    ["KeyType", { ...ALICE, keyType: `${NS.t13}/Bearer`, extra: `<wst:KeyType>${NS.t13}/Bearer</wst:KeyType>` }, "KeyType"],
    ["Lifetime", { ...ALICE, lifetime: { expires: new Date(Date.now() + 600_000).toISOString() }, extra: `<wst:Lifetime><wsu:Expires>${new Date(Date.now() + 7200_000).toISOString()}</wsu:Expires></wst:Lifetime>` }, "Lifetime"],
    ["Lifetime/Expires", { ...ALICE, extra: `<wst:Lifetime><wsu:Expires>${new Date(Date.now() + 600_000).toISOString()}</wsu:Expires><wsu:Expires>${new Date(Date.now() + 7200_000).toISOString()}</wsu:Expires></wst:Lifetime>` }, "Expires"],
    ["Lifetime/Created", { ...ALICE, extra: `<wst:Lifetime><wsu:Created>${new Date().toISOString()}</wsu:Created><wsu:Created>${new Date().toISOString()}</wsu:Created></wst:Lifetime>` }, "Created"],
    ["Renewing", { ...ALICE, extra: `<wst:Renewing Allow="false"/><wst:Renewing/>` }, "Renewing"],
    ["EndpointReference/Address", issue(`<wsp:AppliesTo xmlns:wsp="${NS.wsp}"><wsa:EndpointReference><wsa:Address>urn:example:rp</wsa:Address><wsa:Address>urn:example:nobody</wsa:Address></wsa:EndpointReference></wsp:AppliesTo>`), "Address"],
    ["EndpointReference (1.0, then 2004/08)", issue(`<wsp:AppliesTo xmlns:wsp="${NS.wsp}"><wsa:EndpointReference><wsa:Address>urn:example:rp</wsa:Address></wsa:EndpointReference><w4:EndpointReference xmlns:w4="${WSA04}"><w4:Address>urn:example:nobody</w4:Address></w4:EndpointReference></wsp:AppliesTo>`), "EndpointReference"],
    ["OnBehalfOf", { ...ALICE, extra: `<wst:OnBehalfOf><x/></wst:OnBehalfOf><wst:OnBehalfOf><x/></wst:OnBehalfOf>` }, "OnBehalfOf"],
    ["ActAs", { ...ALICE, extra: `<a:ActAs xmlns:a="http://docs.oasis-open.org/ws-sx/ws-trust/200802"><x/></a:ActAs><a:ActAs xmlns:a="http://docs.oasis-open.org/ws-sx/ws-trust/200802"><x/></a:ActAs>` }, "ActAs"],
    ["ValidateTarget", { ...VALIDATOR, requestType: "Validate", tokenType: `${NS.t13}/RSTR/Status`, extra: `<wst:ValidateTarget><x/></wst:ValidateTarget><wst:ValidateTarget><y/></wst:ValidateTarget>` }, "ValidateTarget"],
    ["CancelTarget", { ...VALIDATOR, requestType: "Cancel", extra: `<wst:CancelTarget><x/></wst:CancelTarget><wst:CancelTarget><y/></wst:CancelTarget>` }, "CancelTarget"],
    ["RenewTarget", { ...VALIDATOR, requestType: "Renew", extra: `<wst:RenewTarget><x/></wst:RenewTarget><wst:RenewTarget><y/></wst:RenewTarget>` }, "RenewTarget"],
  ];
  for (const [name, o, element] of cases) {
    it(`a repeated ${name} is refused with wst:InvalidRequest naming ${element}`, async () => {
      const r = await trust(o);
      expect(r.status).toBe(400);
      expect(faultCode(r.text)).toBe("wst:InvalidRequest");
      expect(r.text).toContain(element);
      expect(r.text).toMatch(/more than once/);
      expect(r.text).not.toContain("Assertion");
    });
  }

  it("a repeated Created or Expires in wsu:Timestamp is refused", async () => {
    const now = new Date();
    const stamp = (inner: string) => (b: string) => b.replace(/<wsu:Timestamp>[\s\S]*?<\/wsu:Timestamp>/, `<wsu:Timestamp>${inner}</wsu:Timestamp>`);
    const c = `<wsu:Created>${now.toISOString()}</wsu:Created>`;
    const e = `<wsu:Expires>${new Date(now.getTime() + 300_000).toISOString()}</wsu:Expires>`;
    for (const inner of [c + c + e, c + e + `<wsu:Expires>2000-01-01T00:00:00Z</wsu:Expires>`]) {
      const r = await send(ALICE, { edit: stamp(inner) });
      expect(r.fault).toBe("wst:BadRequest");
      expect(r.text).toMatch(/more than once/);
      expect(r.text).not.toContain("Assertion");
    }
  });
});

describe("an element in another WS-Trust version's namespace is refused, never dropped", () => {
  const WST14 = "http://docs.oasis-open.org/ws-sx/ws-trust/200802";
  const el = (local: string, ns: string) => `<d:${local} xmlns:d="${ns}"><x/></d:${local}>`;
  const cases: [string, RstOptions, string][] = [
    ["a 2005 OnBehalfOf in a 1.3 request", { ...ALICE, extra: el("OnBehalfOf", NS.t05) }, `wst:OnBehalfOf must be in the namespace ${NS.t13} in this request, not ${NS.t05}.`],
    ["a 1.3 OnBehalfOf in a 2005 request", { ...ALICE, trust: "2005", extra: el("OnBehalfOf", NS.t13) }, `wst:OnBehalfOf must be in the namespace ${NS.t05} in this request, not ${NS.t13}.`],
    ["an OnBehalfOf in the 1.4 namespace", { ...ALICE, extra: el("OnBehalfOf", WST14) }, `wst:OnBehalfOf must be in the namespace ${NS.t13} in this request, not ${WST14}.`],
    ["an ActAs in the 1.3 namespace", { ...ALICE, extra: el("ActAs", NS.t13) }, `wst14:ActAs must be in the namespace ${WST14} in this request, not ${NS.t13}.`],
    ["an ActAs in the 2005 namespace", { ...ALICE, trust: "2005", extra: el("ActAs", NS.t05) }, `wst14:ActAs must be in the namespace ${WST14} in this request, not ${NS.t05}.`],
  ];
  for (const [name, o, reason] of cases) {
    it(`${name} is wst:InvalidRequest naming the namespace expected, and no token is issued`, async () => {
      const r = await trust(o);
      expect(faultCode(r.text)).toBe("wst:InvalidRequest");
      expect(r.text).toContain(reason);
      expect(r.text).not.toContain("Assertion");
    });
  }

  // Passed over, each would have the request answered as if it had not asked: the default token
  // type, a bearer token, the default lifetime.
  const mixed: [string, RstOptions, string][] = [
    ["a 2005 TokenType in a 1.3 request", { ...ALICE, extra: el("TokenType", NS.t05) }, `wst:TokenType must be in the namespace ${NS.t13} in this request, not ${NS.t05}.`],
    ["a 1.3 KeyType in a 2005 request", { ...ALICE, trust: "2005", extra: el("KeyType", NS.t13) }, `wst:KeyType must be in the namespace ${NS.t05} in this request, not ${NS.t13}.`],
    ["a 2005 Lifetime in a 1.3 request", { ...ALICE, extra: el("Lifetime", NS.t05) }, `wst:Lifetime must be in the namespace ${NS.t13} in this request, not ${NS.t05}.`],
    ["a 1.3 element this STS does not read in a 2005 request", { ...ALICE, trust: "2005", extra: el("AllowPostdating", NS.t13) }, `wst:AllowPostdating must be in the namespace ${NS.t05} in this request, not ${NS.t13}.`],
    ["a TokenType in the 1.4 namespace", { ...ALICE, extra: el("TokenType", WST14) }, `wst:TokenType must be in the namespace ${NS.t13} in this request, not ${WST14}.`],
  ];
  for (const [name, o, reason] of mixed) {
    it(`${name} is wst:InvalidRequest naming the namespace expected, and no token is issued`, async () => {
      const r = await trust(o);
      expect(faultCode(r.text)).toBe("wst:InvalidRequest");
      expect(r.text).toContain(reason);
      expect(r.text).not.toContain("Assertion");
    });
  }

  it("an element WS-Trust 1.4 adds, in its own namespace, is an extension this STS does not read", async () => {
    const r = await trust({ ...ALICE, extra: el("InteractiveChallenge", WST14) });
    expect(r.status, r.text).toBe(200);
    expect(r.text).toContain("saml:Assertion");
  });

  it("an element of that name in a namespace that is no WS-Trust version's is an extension, not read", async () => {
    const r = await trust({ ...ALICE, extra: el("OnBehalfOf", "urn:example:extension") });
    expect(r.status).toBe(200);
    expect(r.text).toContain("saml:Assertion");
  });
});

describe("a Batch request type outside a collection", () => {
  it("is wst:InvalidRequest saying where it belongs and what a single request asks for, in either WS-Trust version", async () => {
    for (const [t, ns] of [["13", NS.t13], ["2005", NS.t05]] as const) {
      const body = `<wst:RequestSecurityToken xmlns:wst="${ns}"><wst:RequestType>${ns}/BatchIssue</wst:RequestType></wst:RequestSecurityToken>`;
      const r = await trust({ ...ALICE, trust: t, body });
      expect(faultCode(r.text)).toBe("wst:InvalidRequest");
      expect(r.text).toContain(`wst:RequestType '${ns}/BatchIssue' belongs to the items of a wst:RequestSecurityTokenCollection; a single wst:RequestSecurityToken asks for '${ns}/Issue'.`);
    }
  });
});

describe("an RST element asking for a token this STS does not make is refused, never passed over", () => {
  const el = (local: string, ns: string, inner = "<x/>") => `<d:${local} xmlns:d="${ns}">${inner}</d:${local}>`;
  const unhonoured = ["DelegateTo", "Forwardable", "Delegatable", "Participants", "Encryption", "ProofEncryption"];
  for (const local of unhonoured) {
    for (const t of ["13", "2005"] as const) {
      it(`wst:${local} (WS-Trust ${t}) is wst:InvalidRequest naming it, and no token is issued`, async () => {
        const r = await trust({ ...ALICE, trust: t, extra: el(local, t === "13" ? NS.t13 : NS.t05, local.endsWith("able") ? "false" : "<x/>") });
        expect(faultCode(r.text)).toBe("wst:InvalidRequest");
        expect(r.text).toContain(`wst:${local} cannot be honoured: `);
        expect(r.text).not.toContain("Assertion");
      });
    }
  }

  it("wst:Forwardable true, the default and what every token here is, is honoured", async () => {
    for (const v of ["true", " 1 "]) {
      const r = await trust({ ...ALICE, extra: el("Forwardable", NS.t13, v) });
      expect(r.status, r.text).toBe(200);
      expect(r.text).toContain("Assertion");
    }
  });

  it("a SymmetricKey request with wst:ProofEncryption gets no proof key in the clear", async () => {
    const r = await trust({ ...ALICE, appliesTo: "urn:example:secure-rp", keyType: `${NS.t13}/SymmetricKey`, extra: el("ProofEncryption", NS.t13) });
    expect(faultCode(r.text)).toBe("wst:InvalidRequest");
    expect(r.text).not.toContain("BinarySecret");
  });

  it("in a batch, the item carrying one fails alone", async () => {
    const item = (ctx: string, extra: string) =>
      `<wst:RequestSecurityToken Context="${ctx}"><wst:RequestType>${NS.t13}/BatchIssue</wst:RequestType>` +
      `<wsp:AppliesTo xmlns:wsp="${NS.wsp}"><wsa:EndpointReference><wsa:Address>urn:example:rp</wsa:Address></wsa:EndpointReference></wsp:AppliesTo>${extra}</wst:RequestSecurityToken>`;
    const body = `<wst:RequestSecurityTokenCollection xmlns:wst="${NS.t13}">${item("plain", "")}${item("delegatable", "<wst:Delegatable>false</wst:Delegatable>")}</wst:RequestSecurityTokenCollection>`;
    const r = await trust({ user: "alice", password: "wonderland", body });
    expect(r.status, r.text).toBe(200);
    expect(r.text.match(/<saml:Assertion /g)).toHaveLength(1);
    expect(statusCode(r.text)).toBe(STATUS_INVALID);
    expect(r.text).toContain("wst:InvalidRequest: wst:Delegatable cannot be honoured: ");
  });

  // WCF copies a policy's algorithm suite into its requests; AD FS and this STS choose their own.
  it("an element naming algorithms, or postdating the token may not get anyway, is read as an extension", async () => {
    const extra = `<wst:SignWith>http://www.w3.org/2000/09/xmldsig#rsa-sha1</wst:SignWith><wst:CanonicalizationAlgorithm>http://www.w3.org/2001/10/xml-exc-c14n#</wst:CanonicalizationAlgorithm><wst:AllowPostdating/>`;
    const r = await trust({ ...ALICE, extra });
    expect(r.status, r.text).toBe(200);
    expect(r.text).toContain("saml:Assertion");
  });
});

describe("an envelope of one SOAP version sent in the other's binding", () => {
  it("is a VersionMismatch fault in the envelope's own version, which its sender reads (SOAP 1.1 §4.1.2, SOAP 1.2 Part 1 Appendix A)", async () => {
    for (const path of ["/trust/13/usernamemixed", "/trust/mex"]) {
      const as12 = await send({ ...ALICE, soap: "1.1" }, { path, headers: { "content-type": "application/soap+xml; charset=utf-8", SOAPAction: null } });
      expect(as12.status, path).toBe(500);
      expect(as12.text).toContain(`<s:Envelope xmlns:s="${NS.s11}"`);
      expect(as12.fault).toMatch(/:VersionMismatch$/);
      expect(as12.text).toContain("A SOAP 1.1 envelope must be sent as text/xml.");
      const as11 = await send({ ...ALICE, soap: "1.2" }, { path, headers: { "content-type": "text/xml; charset=utf-8" } });
      expect(as11.status, path).toBe(500);
      expect(as11.text).toContain(`<s:Envelope xmlns:s="${NS.s12}"`);
      expect(as11.fault).toMatch(/:VersionMismatch$/);
      expect(as11.text).toContain("A SOAP 1.2 envelope must be sent as application/soap+xml.");
    }
  });
});

describe("every WS-Addressing header is understood: mustUnderstand on one is honoured, not refused", () => {
  const mu = (soap: "1.1" | "1.2") => (soap === "1.2" ? "true" : "1");

  it("MessageID, ReplyTo, FaultTo, From and RelatesTo marked mustUnderstand are processed (SOAP 1.1 and 1.2, both WS-Addressing versions)", async () => {
    for (const soap of ["1.1", "1.2"] as const) {
      for (const ns of [WSA, WSA04]) {
        const anonymous = ns === WSA ? `${WSA}/anonymous` : `${WSA04}/role/anonymous`;
        const headers =
          `<wsa:ReplyTo s:mustUnderstand="${mu(soap)}"><wsa:Address>${anonymous}</wsa:Address></wsa:ReplyTo>` +
          `<wsa:FaultTo s:mustUnderstand="${mu(soap)}"><wsa:Address>${anonymous}</wsa:Address></wsa:FaultTo>` +
          `<wsa:From s:mustUnderstand="${mu(soap)}"><wsa:Address>urn:example:client</wsa:Address></wsa:From>` +
          `<wsa:RelatesTo s:mustUnderstand="${mu(soap)}">urn:uuid:earlier</wsa:RelatesTo>`;
        const edit = (b: string) => {
          const marked = once(b, "<wsa:MessageID>urn:uuid:marked</wsa:MessageID>", `<wsa:MessageID s:mustUnderstand="${mu(soap)}">urn:uuid:marked</wsa:MessageID>`);
          return ns === WSA ? marked : marked.replace(`xmlns:wsa="${WSA}"`, `xmlns:wsa="${WSA04}"`).replace(/(<wsa:To[^>]*>)[^<]*/, `$1${anonymous}`);
        };
        const r = await send({ ...ALICE, soap, messageId: "urn:uuid:marked", extraHeaders: headers }, { edit });
        expect(r.status, `${soap} ${ns}: ${r.text.slice(0, 400)}`).toBe(200);
        expect(r.text).toContain("<a:RelatesTo>urn:uuid:marked</a:RelatesTo>");
        expect(r.text).toContain("saml:Assertion");
      }
    }
  });

  it("a marked ReplyTo elsewhere is still refused as an address, not as a header not understood", async () => {
    const r = await send({ ...ALICE, extraHeaders: `<wsa:ReplyTo s:mustUnderstand="true"><wsa:Address>https://client.example/replies</wsa:Address></wsa:ReplyTo>` });
    expect(r.fault).toBe("wsa:InvalidAddressingHeader");
    expect(r.text).toContain("<s:Value>wsa:OnlyAnonymousAddressSupported</s:Value>");
  });

  it("an element of another namespace by one of those names is still not understood", async () => {
    const r = await send({ ...ALICE, extraHeaders: `<x:MessageID xmlns:x="urn:x" s:mustUnderstand="true">urn:uuid:x</x:MessageID>` });
    expect(r.fault).toBe("s:MustUnderstand");
  });
});

describe("a SOAP header block must be namespace-qualified (SOAP 1.2 Part 1 §5.2.1, SOAP 1.1 §4.2)", () => {
  it("an unqualified header block is a well-formed Sender fault naming it, whether or not it is marked mustUnderstand", async () => {
    for (const soap of ["1.1", "1.2"] as const) {
      for (const header of [`<Foo s:mustUnderstand="${soap === "1.2" ? "true" : "1"}"/>`, `<Foo/>`, `<Foo s:role="urn:other-node"/>`]) {
        if (soap === "1.1" && header.includes("s:role")) continue;
        const r = await send({ ...ALICE, soap, extraHeaders: header });
        expect(r.fault, `${soap} ${header}`).toBe("wst:BadRequest");
        expect(r.status).toBe(soap === "1.2" ? 400 : 500);
        expect(r.text).toContain("The SOAP header block 'Foo' is not namespace-qualified.");
        expect(r.text).not.toContain('xmlns:nu=""');
        expect(r.text).not.toContain("Assertion");
      }
    }
  });
});

describe("a VersionMismatch fault names the envelopes this STS reads (SOAP 1.2 Part 1 §5.4.7, §5.4.8)", () => {
  const UPGRADE = `<u:Upgrade xmlns:u="${NS.s12}"><u:SupportedEnvelope qname="u:Envelope"/><u:SupportedEnvelope xmlns:v="${NS.s11}" qname="v:Envelope"/></u:Upgrade>`;

  it("an unknown envelope namespace, or an envelope in the other version's binding, carries an env:Upgrade header block", async () => {
    const unknown = (b: string) => b.replace(`xmlns:s="${NS.s12}"`, `xmlns:s="http://www.w3.org/2002/12/soap-envelope"`);
    for (const [name, r] of [
      ["unknown namespace", await send(ALICE, { edit: unknown })],
      ["unknown namespace, mex", await send(ALICE, { edit: unknown, path: "/trust/mex" })],
      ["SOAP 1.1 as application/soap+xml", await send({ ...ALICE, soap: "1.1" }, { headers: { "content-type": "application/soap+xml; charset=utf-8", SOAPAction: null } })],
      ["SOAP 1.2 as text/xml", await send(ALICE, { headers: { "content-type": "text/xml; charset=utf-8" } })],
    ] as const) {
      expect(r.fault, name).toMatch(/:VersionMismatch$/);
      const header = /<s:Header>([\s\S]*?)<\/s:Header>/.exec(r.text)?.[1] ?? "";
      expect(header, name).toContain(UPGRADE);
      // The whole reply is well-formed XML with the Upgrade block as a header block.
      const doc = new DOMParser().parseFromString(r.text, "text/xml");
      const upgrade = doc.getElementsByTagNameNS(NS.s12, "Upgrade")[0] as Element | undefined;
      expect((upgrade?.parentNode as Element | null)?.localName, name).toBe("Header");
    }
  });

  it("no other fault carries one", async () => {
    const r = await send({ ...ALICE, password: "nope" });
    expect(r.fault).toBe("wst:FailedAuthentication");
    expect(r.text).not.toContain("Upgrade");
  });
});

describe("a fault about the envelope itself relates to the request's wsa:MessageID (WS-Addressing 1.0 Core §3.4)", () => {
  const relatesTo = (text: string) => /<a:RelatesTo>([^<]*)<\/a:RelatesTo>/.exec(text)?.[1];
  const MU_FOO = `<x:Foo xmlns:x="urn:x" s:mustUnderstand="true"/>`;

  it("a header not understood, a mustUnderstand that is not a boolean, the other version's media type", async () => {
    const mu = await send({ ...ALICE, messageId: "urn:uuid:mu-1", extraHeaders: MU_FOO });
    expect(mu.fault).toBe("s:MustUnderstand");
    expect(relatesTo(mu.text)).toBe("urn:uuid:mu-1");
    const notBoolean = await send({ ...ALICE, soap: "1.1", messageId: "urn:uuid:mu-2", extraHeaders: `<x:Foo xmlns:x="urn:x" s:mustUnderstand="maybe"/>` });
    expect(notBoolean.fault).toBe("wst:BadRequest");
    expect(relatesTo(notBoolean.text)).toBe("urn:uuid:mu-2");
    const mismatch = await send({ ...ALICE, soap: "1.1", messageId: "urn:uuid:vm-1" }, { headers: { "content-type": "application/soap+xml; charset=utf-8", SOAPAction: null } });
    expect(mismatch.fault).toMatch(/:VersionMismatch$/);
    expect(relatesTo(mismatch.text)).toBe("urn:uuid:vm-1");
    const mex = await send({ ...ALICE, messageId: "urn:uuid:mex-1", extraHeaders: MU_FOO }, { path: "/trust/mex" });
    expect(mex.fault).toBe("s:MustUnderstand");
    expect(relatesTo(mex.text)).toBe("urn:uuid:mex-1");
  });

  it("in the request's WS-Addressing version", async () => {
    const to04 = (b: string) => b.replace(`xmlns:wsa="${WSA}"`, `xmlns:wsa="${WSA04}"`);
    const r = await send({ ...ALICE, messageId: "urn:uuid:mu-04", extraHeaders: MU_FOO }, { edit: to04 });
    expect(r.fault).toBe("s:MustUnderstand");
    expect(r.text).toContain(`xmlns:a="${WSA04}"`);
    expect(r.text).toContain(`<a:Action s:mustUnderstand="1">${WSA04}/fault</a:Action><a:RelatesTo>urn:uuid:mu-04</a:RelatesTo>`);
  });

  it("nothing is echoed from a body that did not parse, or from a header block for another role", async () => {
    const broken = await send({ ...ALICE, messageId: "urn:uuid:broken-1" }, { edit: (b) => b.replace("</s:Body>", "</s:Bdy>") });
    expect(broken.fault).toBe("wst:BadRequest");
    expect(broken.text).not.toContain("urn:uuid:broken-1");
    expect(relatesTo(broken.text)).toBeUndefined();
    const elsewhere = await send(
      { ...ALICE, messageId: "urn:uuid:ours", extraHeaders: MU_FOO },
      { edit: (b) => once(b, "<wsa:MessageID>urn:uuid:ours</wsa:MessageID>", `<wsa:MessageID s:role="urn:other-node">urn:uuid:not-ours</wsa:MessageID>`) },
    );
    expect(elsewhere.fault).toBe("s:MustUnderstand");
    expect(relatesTo(elsewhere.text)).toBeUndefined();
  });
});

describe("the media type a SOAP message is sent as", () => {
  it("is SOAP's, whole and in UTF-8: another type or a charset the body is not read in is a BadRequest naming what to send", async () => {
    for (const [soap, type] of [
      ["1.1", "text/plain"],
      ["1.1", "application/xml"],
      ["1.1", "text/xmlfoo"],
      ["1.2", "application/soap+xmlfoo; charset=utf-8"],
      ["1.2", "application/x-www-form-urlencoded"],
      ["1.1", "text/xml; charset=iso-8859-1"],
      ["1.2", "application/soap+xml; charset=utf-16"],
      ["1.1", "text/xml; charset=utf-8; charset=latin1"],
    ] as const) {
      const r = await send({ ...ALICE, soap }, { headers: { "content-type": type } });
      expect(r.fault, type).toBe("wst:BadRequest");
      expect(r.text, type).toMatch(/text\/xml \(SOAP 1\.1\) or application\/soap\+xml|read as UTF-8/);
      expect(r.text).not.toContain("Assertion");
    }
    for (const [soap, type] of [["1.1", 'TEXT/XML; charset="UTF-8"'], ["1.2", "application/soap+xml"]] as const) {
      expect((await send({ ...ALICE, soap }, { headers: { "content-type": type } })).status, type).toBe(200);
    }
  });

  it("a body in UTF-16 (as WCF sends it with textEncoding utf-16), with or without a byte order mark, is refused for its encoding", async () => {
    const e = envelope({ ...ALICE, soap: "1.2" });
    const le = [...e.body].flatMap((c) => [c.charCodeAt(0) & 0xff, c.charCodeAt(0) >> 8]);
    const be = [...e.body].flatMap((c) => [c.charCodeAt(0) >> 8, c.charCodeAt(0) & 0xff]);
    for (const [name, bytes, type] of [
      ["BOM, labelled utf-16", [0xff, 0xfe, ...le], "application/soap+xml; charset=utf-16"],
      ["BOM, unlabelled", [0xfe, 0xff, ...be], "application/soap+xml"],
      ["no BOM", le, "application/soap+xml"],
    ] as const) {
      const res = await call("/trust/13/usernamemixed", { method: "POST", headers: { "content-type": type }, body: new Uint8Array(bytes) });
      const text = await res.text();
      expect(res.status, name).toBe(400);
      expect(faultCode(text), name).toBe("wst:BadRequest");
      expect(text, name).toContain("XML document must be encoded in UTF-8");
    }
  });
});

describe("replies go on the HTTP response: wsa:ReplyTo and wsa:FaultTo must be anonymous (or none)", () => {
  const epr = (name: string, address: string, ns = "wsa") => `<${ns}:${name}><${ns}:Address>${address}</${ns}:Address></${ns}:${name}>`;

  it("anonymous and none reply and fault addresses are served", async () => {
    for (const extra of [epr("ReplyTo", `${WSA}/anonymous`), epr("ReplyTo", `${WSA}/none`), epr("FaultTo", `${WSA}/anonymous`) + epr("ReplyTo", ` ${WSA}/anonymous `)]) {
      const r = await send({ ...ALICE, extraHeaders: extra });
      expect(r.status, extra).toBe(200);
    }
    const to04 = (b: string) => b.replace(`xmlns:wsa="${WSA}"`, `xmlns:wsa="${WSA04}"`).replace(/(<wsa:To[^>]*>)[^<]*/, `$1${WSA04}/role/anonymous`);
    expect((await send({ ...ALICE, extraHeaders: epr("ReplyTo", `${WSA04}/role/anonymous`) }, { edit: to04 })).status).toBe(200);
  });

  it("a reply or fault address elsewhere is refused (OnlyAnonymousAddressSupported), never answered, in both SOAP versions", async () => {
    for (const soap of ["1.1", "1.2"] as const) {
      for (const name of ["ReplyTo", "FaultTo"]) {
        const r = await send({ ...ALICE, soap, extraHeaders: epr(name, "https://client.example/replies") });
        expect(r.fault, `${soap} ${name}`).toBe("wsa:InvalidAddressingHeader");
        if (soap === "1.2") expect(r.text).toContain("<s:Value>wsa:OnlyAnonymousAddressSupported</s:Value>");
        expect(r.text).toContain(`wsa:${name} names 'https://client.example/replies'`);
        expect(r.text).not.toContain("Assertion");
      }
    }
  });

  it("an EPR with two addresses is refused in either order, never read as its first (InvalidCardinality)", async () => {
    for (const name of ["ReplyTo", "FaultTo"]) {
      for (const [first, second] of [[`${WSA}/anonymous`, "http://attacker.example/collect"], ["http://attacker.example/collect", `${WSA}/anonymous`], [`${WSA}/anonymous`, `${WSA}/anonymous`]]) {
        const r = await send({ ...ALICE, soap: "1.2", extraHeaders: `<wsa:${name}><wsa:Address>${first}</wsa:Address><wsa:Address>${second}</wsa:Address></wsa:${name}>` });
        expect(r.fault, `${name} ${first} ${second}`).toBe("wsa:InvalidAddressingHeader");
        expect(r.text).toContain("<s:Value>wsa:InvalidCardinality</s:Value>");
        expect(r.text).toContain(`wsa:${name} has more than one wsa:Address`);
        expect(r.text).not.toContain("Assertion");
      }
    }
  });

  it("an EPR without an address; a 2004/08 message gets that version's fault", async () => {
    const r = await send({ ...ALICE, extraHeaders: `<wsa:ReplyTo><wsa:ReferenceParameters/></wsa:ReplyTo>` });
    expect(r.fault).toBe("wsa:InvalidAddressingHeader");
    expect(r.text).toContain("wsa:ReplyTo has no wsa:Address");
    const to04 = (b: string) => b.replace(`xmlns:wsa="${WSA}"`, `xmlns:wsa="${WSA04}"`).replace(/(<wsa:To[^>]*>)[^<]*/, `$1${WSA04}/role/anonymous`);
    const old = await send({ ...ALICE, extraHeaders: epr("ReplyTo", "https://client.example/replies") }, { edit: to04 });
    expect(old.fault).toBe("wsa:InvalidMessageInformationHeader");
  });
});

describe("WS-Addressing faults say which header or value is at fault (SOAP Binding §6.4 [Detail])", () => {
  /**
   * The fault's WS-Addressing detail element, read as XML: in SOAP 1.2 the s:Detail of the
   * Fault, in SOAP 1.1 the wsa:FaultDetail header block. A QName value comes back resolved.
   */
  function problem(text: string): { name: string; value: string; qnameNs?: string | null } | undefined {
    const doc = new DOMParser().parseFromString(text, "text/xml");
    const holders = [...Array.from(doc.getElementsByTagNameNS("http://www.w3.org/2003/05/soap-envelope", "Detail")), ...Array.from(doc.getElementsByTagNameNS(WSA, "FaultDetail"))];
    if (holders.length === 0) return undefined;
    expect(holders).toHaveLength(1);
    const el = Array.from(holders[0]!.childNodes).find((n) => n.nodeType === 1) as Element;
    expect(el.namespaceURI).toBe(WSA);
    if (el.localName === "ProblemAction") {
      const action = el.getElementsByTagNameNS(WSA, "Action")[0]!;
      return { name: "ProblemAction", value: action.textContent ?? "" };
    }
    const value = el.textContent ?? "";
    if (el.localName !== "ProblemHeaderQName") return { name: el.localName!, value };
    const [prefix, local] = value.split(":");
    return { name: el.localName, value: local!, qnameNs: el.lookupNamespaceURI(prefix!) };
  }

  const V11 = { SOAPAction: `"${NS.t05}/RST/Issue"`, "content-type": "text/xml; charset=utf-8" };
  const V12 = { "content-type": `application/soap+xml; charset=utf-8; action="${NS.t05}/RST/Issue"` };

  it("ActionNotSupported names the action, in a SOAP 1.2 Detail and a SOAP 1.1 wsa:FaultDetail header", async () => {
    for (const soap of ["1.1", "1.2"] as const) {
      const r = await send({ ...ALICE, soap }, { edit: (b) => once(b, `>${NS.t13}/RST/Issue<`, `>${NS.t05}/RST/Issue<`), headers: soap === "1.2" ? V12 : V11 });
      expect(r.fault, soap).toBe("wsa:ActionNotSupported");
      expect(problem(r.text), soap).toEqual({ name: "ProblemAction", value: `${NS.t05}/RST/Issue` });
      if (soap === "1.1") expect(r.text).toMatch(/<s:Header><wsa:FaultDetail /);
    }
  });

  it("InvalidCardinality names the repeated header by its QName", async () => {
    for (const soap of ["1.1", "1.2"] as const) {
      const r = await send({ ...ALICE, soap, extraHeaders: `<wsa:MessageID>urn:uuid:2</wsa:MessageID>` });
      expect(r.fault, soap).toBe("wsa:InvalidAddressingHeader");
      expect(problem(r.text), soap).toEqual({ name: "ProblemHeaderQName", value: "MessageID", qnameNs: WSA });
    }
  });

  it("a header of the other WS-Addressing version is named in its own namespace", async () => {
    const r = await send({ ...ALICE, extraHeaders: `<w4:ReplyTo xmlns:w4="${WSA04}"><w4:Address>${WSA04}/role/anonymous</w4:Address></w4:ReplyTo>` });
    expect(r.fault).toBe("wsa:InvalidAddressingHeader");
    expect(problem(r.text)).toEqual({ name: "ProblemHeaderQName", value: "ReplyTo", qnameNs: WSA04 });
  });

  it("OnlyAnonymousAddressSupported names the reply header", async () => {
    const r = await send({ ...ALICE, extraHeaders: `<wsa:FaultTo><wsa:Address>https://client.example/faults</wsa:Address></wsa:FaultTo>` });
    expect(problem(r.text)).toEqual({ name: "ProblemHeaderQName", value: "FaultTo", qnameNs: WSA });
  });

  it("ActionMismatch names wsa:Action", async () => {
    const r = await send(ALICE, { headers: V12 });
    expect(r.text).toContain("wsa:ActionMismatch");
    expect(problem(r.text)).toEqual({ name: "ProblemHeaderQName", value: "Action", qnameNs: WSA });
  });

  it("DestinationUnreachable gives back the address, escaped; an unknown realm gives the request's URL", async () => {
    const to = "https://other.example/trust/13/usernamemixed?a=1&b=<2>";
    const r = await send(ALICE, { edit: (b) => b.replace(/(<wsa:To[^>]*>)[^<]*/, `$1${to.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")}`) });
    expect(r.fault).toBe("wsa:DestinationUnreachable");
    expect(problem(r.text)).toEqual({ name: "ProblemIRI", value: to });
    const realm = await send(ALICE, { path: "/realms/nowhere/trust/13/usernamemixed" });
    expect(realm.status).toBe(404);
    expect(problem(realm.text)).toEqual({ name: "ProblemIRI", value: expect.stringMatching(/^http:\/\/127\.0\.0\.1(:\d+)?\/realms\/nowhere\/trust\/13\/usernamemixed$/) });
  });

  it("no detail for the 2004/08 submission (whose detail elements differ) or an action too long to echo", async () => {
    const to04 = (b: string) => b.replace(`xmlns:wsa="${WSA}"`, `xmlns:wsa="${WSA04}"`);
    const old = await send(ALICE, { edit: (b) => to04(b).replace(/(<wsa:To[^>]*>)[^<]*/, "$1https://other.example/") });
    expect(old.fault).toBe("wsa:DestinationUnreachable");
    expect(problem(old.text)).toBeUndefined();
    const long = `${NS.t05}/RST/Issue/${"x".repeat(3000)}`;
    const r = await send(ALICE, { edit: (b) => once(b, `>${NS.t13}/RST/Issue<`, `>${long}<`), headers: { "content-type": `application/soap+xml; charset=utf-8; action="${long}"` } });
    expect(r.fault).toBe("wsa:ActionNotSupported");
    expect(problem(r.text)).toBeUndefined();
  });
});

describe("a SOAP 1.1 fault carries a detail exactly when the Body could not be processed (SOAP 1.1 §4.4)", () => {
  const S11 = { ...ALICE, soap: "1.1" as const };
  /** The fault's children, by local name, and whether a detail is among them (empty, unqualified). */
  function faultParts(text: string): { code: string | undefined; children: string[]; detail: string | undefined } {
    const doc = new DOMParser().parseFromString(text, "text/xml");
    const fault = doc.getElementsByTagNameNS(NS.s11, "Fault")[0];
    expect(fault, text).toBeDefined();
    const kids: Element[] = [];
    for (let n = fault!.firstChild; n; n = n.nextSibling) if (n.nodeType === 1) kids.push(n as Element);
    const detail = kids.find((k) => k.localName === "detail");
    if (detail) expect(detail.namespaceURI ?? null).toBeNull();
    return { code: faultCode(text), children: kids.map((k) => k.localName ?? ""), detail: detail ? detail.toString() : undefined };
  }

  it("a refused RST, read before or after authentication, or a Body that is no RST: an empty detail after faultstring", async () => {
    const sent = [
      await send({ ...S11, tokenType: "urn:example:no-such-token-type" }),
      await send({ ...S11, extra: "<wst:KeySize>many</wst:KeySize>" }),
      await send({ ...S11, appliesTo: "urn:example:no-such-rp" }),
      await send({ ...S11, user: "bob", password: "builder", requestType: "Cancel", extra: `<wst:CancelTarget><x:NotAToken xmlns:x="urn:x"/></wst:CancelTarget>` }),
      await send(S11, { edit: (b) => b.replace(/<s:Body>[\s\S]*<\/s:Body>/, `<s:Body><x:Other xmlns:x="urn:example:x"/></s:Body>`) }),
      // The Body's element count is the Body's error too, not the envelope's.
      await send(S11, { edit: (b) => b.replace(/<s:Body>[\s\S]*<\/s:Body>/, "<s:Body></s:Body>") }),
      await send(S11, { edit: (b) => b.replace(/(<s:Body>)([\s\S]*)(<\/s:Body>)/, "$1$2$2$3") }),
    ];
    for (const r of sent) {
      expect(r.fault, r.text).toMatch(/^wst:/);
      expect(faultParts(r.text)).toEqual({ code: r.fault, children: ["faultcode", "faultstring", "detail"], detail: "<detail/>" });
    }
  });

  it("a fault about a header block or the envelope carries none: Security, Timestamp, mustUnderstand, wsa:Action, wsa:To", async () => {
    const past = new Date(Date.now() - 3_600_000);
    const sent = [
      await send({ ...S11, password: "not-the-password" }),
      await send({ ...S11, timestamp: { created: past.toISOString(), expires: new Date(past.getTime() + 300_000).toISOString() } }),
      await send({ ...S11, extraHeaders: `<x:Unknown xmlns:x="urn:example:x" s:mustUnderstand="1"/>` }),
      await send(S11, { edit: (b) => b.replace(/(<wsa:Action[^>]*>)[^<]*/, `$1${NS.t13}/RST/Cancel`), headers: { SOAPAction: `"${NS.t13}/RST/Cancel"` } }),
      await send(S11, { edit: (b) => b.replace(/(<wsa:To[^>]*>)[^<]*/, "$1https://other.example/") }),
    ];
    expect(sent.map((r) => r.fault)).toEqual(["wst:FailedAuthentication", "wsse:MessageExpired", "s:MustUnderstand", "wsa:ActionNotSupported", "wsa:DestinationUnreachable"]);
    for (const r of sent) expect(faultParts(r.text).children).toEqual(["faultcode", "faultstring"]);
  });

  it("SOAP 1.2 is unchanged: its Detail is optional (Part 1 §5.4.5), and a refused RST has none", async () => {
    const r = await send({ ...ALICE, tokenType: "urn:example:no-such-token-type" });
    expect(r.fault).toBe("wst:InvalidRequest");
    expect(r.text).not.toMatch(/Detail|detail/);
  });
});
