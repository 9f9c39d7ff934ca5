// Endpoint discovery from the WS-MetadataExchange WSDL served by GET /trust/mex.
//
// Like MSAL's / ADAL's mex parsers we do not guess URLs: we walk wsdl:service/wsdl:port, follow
// each port's binding, and classify it by (a) the soapAction of its Issue operation, which names
// the WS-Trust version, and (b) its WS-SecurityPolicy, which must ask for a UsernameToken
// ("usernamemixed": message credential over a transport-secured channel). The port's
// wsa:EndpointReference/wsa:Address is the endpoint. A path like /trust/13/usernamemixed is only
// used as a tie-breaker or when a binding carries no such information.
import { parseXml, select, selectText } from "./xml.mjs";
import { TRUST } from "./envelope.mjs";

/**
 * @typedef {{ address: string, trust: "13"|"2005"|undefined, soap: "1.1"|"1.2"|undefined,
 *   usernameToken: boolean, port: string }} MexEndpoint
 */

/**
 * Lists every port of the WSDL with what we could learn about it.
 * @param {string} wsdlText
 * @returns {MexEndpoint[]}
 */
export function listEndpoints(wsdlText) {
  const doc = parseXml(wsdlText);
  const root = doc.documentElement;
  if (root.localName !== "definitions" || root.namespaceURI !== "http://schemas.xmlsoap.org/wsdl/") {
    throw new Error(`mex: the root element is ${root.namespaceURI ? `{${root.namespaceURI}}` : ""}${root.localName}, not wsdl:definitions`);
  }
  const out = [];
  for (const port of select("//wsdl:service/wsdl:port", doc)) {
    const address =
      selectText("wsa:EndpointReference/wsa:Address", port) ??
      selectText("wsa04:EndpointReference/wsa04:Address", port) ??
      selectText("soap12b:address/@location", port) ??
      selectText("soap11b:address/@location", port);
    if (!address) continue;
    const bindingLocal = (port.getAttribute("binding") ?? "").replace(/^.*:/, "");
    const binding = select(`//wsdl:binding[@name='${bindingLocal.replace(/'/g, "")}']`, doc)[0];
    let trust;
    let soap;
    let usernameToken = false;
    if (binding) {
      const actions = select(".//soap12b:operation/@soapAction | .//soap11b:operation/@soapAction", binding).map((a) => a.value);
      if (actions.includes(TRUST[13].action)) trust = "13";
      else if (actions.includes(TRUST[2005].action)) trust = "2005";
      soap = select("soap12b:binding", binding).length ? "1.2" : select("soap11b:binding", binding).length ? "1.1" : undefined;
      usernameToken = policiesOf(binding, doc).some((p) => select(".//*[local-name()='UsernameToken']", p).length > 0);
    }
    const path = address.replace(/^[a-z]+:\/\/[^/]+/i, "");
    const m = /\/trust\/(13|2005)\/usernamemixed\/?$/i.exec(path);
    if (m) {
      trust ??= m[1];
      if (!binding) usernameToken = true;
    }
    out.push({ address: address.trim(), trust, soap, usernameToken, port: port.getAttribute("name") ?? "" });
  }
  return out;
}

/** Policies a binding references (wsp:PolicyReference URI="#id") or embeds. */
function policiesOf(binding, doc) {
  const refs = select(".//wsp:PolicyReference/@URI | .//wsp15:PolicyReference/@URI", binding).map((a) => a.value.replace(/^#/, ""));
  const byId = refs.flatMap((id) =>
    select(`//wsp:Policy[@wsu:Id='${id.replace(/'/g, "")}'] | //wsp15:Policy[@wsu:Id='${id.replace(/'/g, "")}']`, doc),
  );
  return [...byId, ...select(".//wsp:Policy | .//wsp15:Policy", binding)];
}

/**
 * Picks the usernamemixed endpoint for a WS-Trust version (and preferably the SOAP version).
 * @param {string} wsdlText
 * @param {"13"|"2005"} trust
 * @param {"1.1"|"1.2"} [soap]
 * @returns {string} the endpoint address
 */
export function findUsernameMixed(wsdlText, trust, soap) {
  const all = listEndpoints(wsdlText);
  const candidates = all.filter((e) => e.trust === trust && e.usernameToken);
  if (candidates.length === 0) {
    const seen = all.map((e) => `${e.port} ${e.address} trust=${e.trust ?? "?"} ut=${e.usernameToken}`).join("; ");
    throw new Error(`mex: no UsernameToken endpoint for WS-Trust ${trust} (ports: ${seen || "none"})`);
  }
  const score = (e) => (/usernamemixed/i.test(e.address) ? 2 : 0) + (soap && e.soap === soap ? 1 : 0);
  candidates.sort((a, b) => score(b) - score(a));
  return candidates[0].address;
}
