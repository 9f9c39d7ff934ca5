/** Builds WS-Trust request envelopes for black-box tests (independent of src/ builders). */
export const NS = {
  s11: "http://schemas.xmlsoap.org/soap/envelope/",
  s12: "http://www.w3.org/2003/05/soap-envelope",
  wsa: "http://www.w3.org/2005/08/addressing",
  wsse: "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd",
  wsu: "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd",
  wsp: "http://schemas.xmlsoap.org/ws/2004/09/policy",
  t13: "http://docs.oasis-open.org/ws-sx/ws-trust/200512",
  t05: "http://schemas.xmlsoap.org/ws/2005/02/trust",
  saml2: "urn:oasis:names:tc:SAML:2.0:assertion",
  saml1: "urn:oasis:names:tc:SAML:1.0:assertion",
};
export const TT = {
  saml2: "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV2.0",
  saml1: "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV1.1",
  jwt: "urn:ietf:params:oauth:token-type:jwt",
};

export interface RstOptions {
  soap?: "1.1" | "1.2";
  trust?: "13" | "2005";
  user?: string;
  password?: string;
  passwordType?: string;
  appliesTo?: string;
  tokenType?: string;
  requestType?: "Issue" | "Validate" | "Renew" | "Cancel";
  keyType?: string;
  /** Raw XML placed inside the RST (e.g. a ValidateTarget). */
  extra?: string;
  /** Raw XML replacing the whole Body content. */
  body?: string;
  lifetime?: { created?: string; expires?: string };
  extraHeaders?: string;
  messageId?: string;
  /** wsa:To (default: the endpoint of the trust version on 127.0.0.1, where tests send). */
  to?: string;
  nonce?: string;
  created?: string;
  timestamp?: { created: string; expires: string } | null;
}

export function trustNs(o: RstOptions): string {
  return o.trust === "2005" ? NS.t05 : NS.t13;
}

export function rstXml(o: RstOptions): string {
  const t = trustNs(o);
  const rt = `${t}/${o.requestType ?? "Issue"}`;
  const at = o.appliesTo
    ? `<wsp:AppliesTo xmlns:wsp="${NS.wsp}"><wsa:EndpointReference><wsa:Address>${o.appliesTo}</wsa:Address></wsa:EndpointReference></wsp:AppliesTo>`
    : "";
  const tt = o.tokenType ? `<wst:TokenType>${o.tokenType}</wst:TokenType>` : "";
  const kt = o.keyType ? `<wst:KeyType>${o.keyType}</wst:KeyType>` : "";
  const lt = o.lifetime
    ? `<wst:Lifetime>${o.lifetime.created ? `<wsu:Created>${o.lifetime.created}</wsu:Created>` : ""}${o.lifetime.expires ? `<wsu:Expires>${o.lifetime.expires}</wsu:Expires>` : ""}</wst:Lifetime>`
    : "";
  return `<wst:RequestSecurityToken xmlns:wst="${t}" Context="ctx-1">${tt}<wst:RequestType>${rt}</wst:RequestType>${at}${kt}${lt}${o.extra ?? ""}</wst:RequestSecurityToken>`;
}

export function envelope(o: RstOptions): { body: string; headers: Record<string, string> } {
  const soap = o.soap ?? "1.2";
  const s = soap === "1.2" ? NS.s12 : NS.s11;
  const t = trustNs(o);
  const action = `${t}/RST/${o.requestType ?? "Issue"}`;
  const now = new Date();
  const ts =
    o.timestamp === null
      ? ""
      : `<wsu:Timestamp><wsu:Created>${o.timestamp?.created ?? now.toISOString()}</wsu:Created><wsu:Expires>${o.timestamp?.expires ?? new Date(now.getTime() + 300_000).toISOString()}</wsu:Expires></wsu:Timestamp>`;
  const pwType = o.passwordType ?? "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText";
  const nonce = o.nonce ? `<wsse:Nonce>${o.nonce}</wsse:Nonce>` : "";
  const created = o.created ? `<wsu:Created>${o.created}</wsu:Created>` : "";
  const ut =
    o.user !== undefined
      ? `<wsse:UsernameToken wsu:Id="uuid-1"><wsse:Username>${o.user}</wsse:Username><wsse:Password Type="${pwType}">${o.password ?? ""}</wsse:Password>${nonce}${created}</wsse:UsernameToken>`
      : "";
  const body =
    `<s:Envelope xmlns:s="${s}" xmlns:wsa="${NS.wsa}" xmlns:wsse="${NS.wsse}" xmlns:wsu="${NS.wsu}">` +
    `<s:Header><wsa:Action s:mustUnderstand="1">${action}</wsa:Action>` +
    `<wsa:MessageID>${o.messageId ?? "urn:uuid:11111111-2222-3333-4444-555555555555"}</wsa:MessageID>` +
    `<wsa:To s:mustUnderstand="1">${o.to ?? `http://127.0.0.1/trust/${o.trust ?? "13"}/usernamemixed`}</wsa:To>` +
    `<wsse:Security s:mustUnderstand="1">${ts}${ut}</wsse:Security>${o.extraHeaders ?? ""}</s:Header>` +
    `<s:Body>${o.body ?? rstXml(o)}</s:Body></s:Envelope>`;
  return { body, headers: soapHeaders(soap, action) };
}

/** The HTTP headers of a SOAP request naming `action`, in the SOAP version's own way. */
export function soapHeaders(soap: "1.1" | "1.2", action: string): Record<string, string> {
  return soap === "1.2" ? { "content-type": `application/soap+xml; charset=utf-8; action="${action}"` } : { "content-type": "text/xml; charset=utf-8", soapaction: `"${action}"` };
}
