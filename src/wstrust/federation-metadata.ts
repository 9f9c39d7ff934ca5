import { XMLSerializer } from "@xmldom/xmldom";
import type { Element } from "@xmldom/xmldom";
import type { KeyRing } from "../keys/keyring.ts";
import { CLAIM_TYPES, isAbsoluteUri } from "../saml/claims.ts";
import { newSamlId } from "../saml/assertion-input.ts";
import { SAML2_METADATA_NS } from "../saml/ns.ts";
import { RSA_SHA256, SHA256 } from "../xmldsig/algorithms.ts";
import { signEnveloped } from "../xmldsig/sign.ts";
import { AES128_GCM, AES256_GCM, RSA_OAEP, RSA_OAEP_MGF1P } from "../xmlenc/algorithms.ts";
import { WSA10_NS } from "../soap/ns.ts";
import { TRUST_ENDPOINTS } from "./mex.ts";
import { TRUST_ENDPOINT_LIST, type TrustEndpoint, servedEndpoints } from "./endpoints.ts";
import { pemToDer, toBase64 } from "../keys/pem.ts";
import { TOKEN_TYPE_URI } from "./token-types.ts";
import { AUTHORIZATION_DIALECT } from "./claims-request.ts";
import type { ResolvedConfig, TokenKind } from "../config/types.ts";
import { xml } from "../xml/markup.ts";
import { parseXml } from "../xml/parse.ts";
import { DSIG_NS, XSI_NS } from "../xml/dom.ts";
import type { StsContext } from "../engine/types.ts";
import { offeredClaimTypes } from "../engine/claims-offered.ts";

/**
 * The token types this STS issues to some relying party (each party's `tokenTypes`), in
 * TOKEN_TYPE_URI's order: what fed:TokenTypesOffered may promise, no more and no less.
 */
export function offeredTokenKinds(config: ResolvedConfig): TokenKind[] {
  const accepted = new Set(config.relyingParties.flatMap((rp) => rp.tokenTypes));
  return (Object.keys(TOKEN_TYPE_URI) as TokenKind[]).filter((kind) => accepted.has(kind));
}

/** Where federation metadata is served: the well-known address WS-Federation 1.2 gives it. */
export const FEDERATION_METADATA_PATH = "/FederationMetadata/2007-06/FederationMetadata.xml";

/** Browser sign-in (WS-Federation passive requestor profile), published as fed:PassiveRequestorEndpoint. */
export const PASSIVE_REQUESTOR_PATH = "/wsfed";
/** Where a partner's token signs a requestor in (issuedtokenmixed), published as this STS's fed:ApplicationServiceEndpoint. */
const ISSUED_TOKEN_ENDPOINT = TRUST_ENDPOINT_LIST.find((e) => e.version === "13" && e.issuedKey === "public-key")!;

const MD = SAML2_METADATA_NS;
const FED_NS = "http://docs.oasis-open.org/wsfed/federation/200706";

/** What this STS decrypts, strongest first: AES-GCM content, RSA-OAEP key transport. */
const ACCEPTED_ENCRYPTION = [AES256_GCM, AES128_GCM, RSA_OAEP, RSA_OAEP_MGF1P];

/**
 * WS-Federation 1.2 §3.1 metadata: an md:EntityDescriptor whose entityID is the issuer, with a
 * fed:SecurityTokenServiceType role listing signing certificates (every one in use: current,
 * next — published ahead of rotation — and previous), token types, claim types and the WS-Trust
 * endpoints, and a fed:ApplicationServiceType role for partners this STS is a relying party of,
 * with the certificates they encrypt for it — only where it is one (its issued-token endpoint is
 * served);
 * signed (enveloped) with the current RSA key. Written by the message writer, then
 * signed on its parsed tree (its xsi:type names a QName, which the canonical tree writer does not
 * carry), the signature placed first as the SAML 2.0 metadata schema wants it.
 */
export async function buildFederationMetadata(
  issuer: string,
  origin: string,
  keys: KeyRing,
  decryptionCertificates: readonly string[] = [],
  claimTypes: readonly string[] = CLAIM_TYPES.map((c) => c.uri),
  /** Whether browser sign-in is served here: only then is its endpoint published. */
  passiveRequestor = true,
  /** The token types some relying party accepts (offeredTokenKinds). */
  tokenKinds: readonly TokenKind[] = Object.keys(TOKEN_TYPE_URI) as TokenKind[],
  /** The WS-Trust endpoints the configuration serves (servedEndpoints). */
  served: readonly TrustEndpoint[] = TRUST_ENDPOINT_LIST,
): Promise<string> {
  const id = newSamlId();
  const keyDescriptor = (use: string, certificateBase64: string, methods: readonly string[] = []) =>
    xml`<md:KeyDescriptor use="${use}"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${certificateBase64}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>${methods.map((m) => xml`<md:EncryptionMethod Algorithm="${m}"/>`)}</md:KeyDescriptor>`;
  // Partners encrypt for us (whole assertions, holder-of-key proof keys) with the use="encryption"
  // certificates, and with the algorithms listed there (SAML 2.0 metadata §2.4.1.1): the ones we
  // open, GCM only — a partner that reads them (a Shibboleth IdP does) picks from these. They
  // belong to the role in which this STS receives tokens (fed:ApplicationServiceType, below),
  // never to the STS role: Microsoft.IdentityModel's WS-Federation reader (ASP.NET Core, OWIN)
  // takes every KeyDescriptor of the STS role as a token-signing key whatever its `use` (or, in
  // older versions, refuses the whole document for a `use` other than signing), so a decryption
  // certificate there would be trusted to sign tokens. AD FS publishes its own the same way.
  const encryption = decryptionCertificates.map((pem) => keyDescriptor("encryption", toBase64(pemToDer(pem, "CERTIFICATE")), ACCEPTED_ENCRYPTION));
  const signing = keys.published().map((k) => keyDescriptor("signing", k.certificateBase64));
  const epr = (address: string) => xml`<wsa:EndpointReference><wsa:Address>${address}</wsa:Address></wsa:EndpointReference>`;
  const tokenTypes = tokenKinds.map((kind) => xml`<fed:TokenType Uri="${TOKEN_TYPE_URI[kind]}"/>`);
  // The claim types some relying party can get; the table describes those it knows, the rest
  // (made by claim rules, or held by directory users) are named by their last path segment.
  // Only those named by an absolute URI: a claim named `department` is a SAML attribute of the
  // basic name format, not a claim type, and WIF's metadata reader — AD FS importing this STS
  // as a claims provider, FedUtil — refuses the whole document for one ClaimType whose Uri is
  // not absolute (ID3202), so one directory user's claim would cut every such partner off.
  const offered = claimTypes.filter(isAbsoluteUri).map((uri) => {
    const known = CLAIM_TYPES.find((c) => c.uri === uri);
    const displayName = known?.displayName ?? uri.slice(uri.lastIndexOf("/") + 1);
    const description = known?.description ?? "A claim about the subject that a relying party's policy releases";
    return xml`<auth:ClaimType Uri="${uri}" Optional="true"><auth:DisplayName>${displayName}</auth:DisplayName><auth:Description>${description}</auth:Description></auth:ClaimType>`;
  });
  const endpoints = (["13", "2005"] as const).map((v) => xml`<fed:SecurityTokenServiceEndpoint>${epr(origin + TRUST_ENDPOINTS[v])}</fed:SecurityTokenServiceEndpoint>`);
  const passive = passiveRequestor ? xml`<fed:PassiveRequestorEndpoint>${epr(origin + PASSIVE_REQUESTOR_PATH)}</fed:PassiveRequestorEndpoint>` : undefined;
  // This STS as a relying party of a federation partner (§3.1.2.3; AD FS publishes the same
  // role): what a partner needs to add it from this document — the realm it asks tokens for
  // (wtrealm, its issuer), where tokens are posted back (/wsfed) or presented (issuedtokenmixed),
  // and the certificates to encrypt them for. Only where a partner's token is accepted (a SAML
  // partner is trusted, or this STS is its own relying party): elsewhere every such endpoint
  // answers FailedAuthentication, and a partner that imported the role would send its users to
  // an address that can never sign them in. The schema wants at least one
  // fed:ApplicationServiceEndpoint in the role, so without one the whole role goes.
  const asRelyingParty = served.includes(ISSUED_TOKEN_ENDPOINT)
    ? xml`<md:RoleDescriptor xsi:type="fed:ApplicationServiceType" protocolSupportEnumeration="${FED_NS}">${encryption}<fed:TargetScopes>${epr(issuer)}</fed:TargetScopes><fed:ApplicationServiceEndpoint>${epr(origin + ISSUED_TOKEN_ENDPOINT.path)}</fed:ApplicationServiceEndpoint>${passive}</md:RoleDescriptor>`
    : undefined;
  const unsigned = xml`<md:EntityDescriptor xmlns:md="${MD}" xmlns:ds="${DSIG_NS}" xmlns:fed="${FED_NS}" xmlns:auth="${AUTHORIZATION_DIALECT}" xmlns:xsi="${XSI_NS}" xmlns:wsa="${WSA10_NS}" ID="${id}" entityID="${issuer}"><md:RoleDescriptor xsi:type="fed:SecurityTokenServiceType" protocolSupportEnumeration="${FED_NS}">${signing}<fed:TokenTypesOffered>${tokenTypes}</fed:TokenTypesOffered><fed:ClaimTypesOffered>${offered}</fed:ClaimTypesOffered>${endpoints}${passive}</md:RoleDescriptor>${asRelyingParty}</md:EntityDescriptor>`;
  const root = parseXml(unsigned.xml).documentElement!;
  await signEnveloped(root, { key: keys.current("RSA"), signatureAlgorithm: RSA_SHA256, digestAlgorithm: SHA256, referenceId: id });
  // Moving the signature first is safe: the enveloped transform removes it wherever it is, and
  // exclusive c14n of SignedInfo does not depend on its position.
  const sig = root.lastChild as Element;
  root.insertBefore(sig, root.firstChild);
  return `<?xml version="1.0" encoding="utf-8"?>` + new XMLSerializer().serializeToString(root);
}

/** A document built for a realm configuration, with what else it was built from. */
interface BuiltMetadata {
  keys: KeyRing;
  /** The user directory's claim names it offers, one per line. */
  directoryNames: string;
  xml: Promise<string>;
}

/**
 * The documents built for each realm configuration (a WeakMap: they go with the configuration),
 * by issuer and address. A realm without `issuer` names the origin a request came to, which the
 * Host header chooses, so at most this many addresses are kept per configuration, the oldest
 * built forgotten first: memory stays bounded whatever Hosts are sent.
 */
const built = new WeakMap<ResolvedConfig, Map<string, BuiltMetadata>>();
const ADDRESSES_PER_CONFIG = 4;

/**
 * The realm's signed federation metadata, built once per configuration, key ring, issuer,
 * address and set of directory claim names, and served as it is until one of them changes.
 * Building it walks every relying party's release list and claim rules and makes an RSA
 * signature; readers poll the document (a relying party's metadata refresh, a monitor), and with
 * hundreds of relying parties that costs more than issuing a token. The document carries no
 * instant (no validUntil, no cacheDuration), so the same signed bytes stay correct.
 * `directoryNames`: the claim names the realm's user directory holds (`directoryClaimNames`).
 */
export function federationMetadataFor(ctx: StsContext, directoryNames: readonly string[]): Promise<string> {
  const config = ctx.config;
  let documents = built.get(config);
  if (documents === undefined) built.set(config, (documents = new Map()));
  const at = `${ctx.issuer}\n${ctx.origin}`;
  const names = directoryNames.join("\n");
  const last = documents.get(at);
  if (last !== undefined && last.keys === ctx.keys && last.directoryNames === names) return last.xml;
  const decryption = config.decryptionKeys.filter((k) => k.status !== "previous").map((k) => k.certificatePem);
  const xml = buildFederationMetadata(
    ctx.issuer,
    ctx.origin,
    ctx.keys,
    decryption,
    offeredClaimTypes(config, directoryNames),
    config.webSessionSecret !== undefined,
    offeredTokenKinds(config),
    servedEndpoints(config, ctx.issuer),
  );
  const entry: BuiltMetadata = { keys: ctx.keys, directoryNames: names, xml };
  documents.delete(at);
  if (documents.size >= ADDRESSES_PER_CONFIG) documents.delete(documents.keys().next().value!);
  documents.set(at, entry);
  // A failed build is not kept: the next request builds again.
  xml.catch(() => {
    if (documents.get(at) === entry) documents.delete(at);
  });
  return xml;
}
