import type { Element } from "@xmldom/xmldom";
import { invalidToken } from "../errors.ts";
import { XSI_NS, childElements, firstChild, textContent } from "../xml/dom.ts";
import { zonedInstant } from "../xml/datetime.ts";
import { parseXsBoolean, trimXmlSpace } from "../xml/xs.ts";
import { claimName } from "./claims.ts";
import { isBlankClaimName, newClaims } from "../token/claims.ts";
import { DSIG_NS } from "../xml/dom.ts";
import { SAML1_BEARER, SAML1_HOLDER_OF_KEY, SAML1_NS, SAML2_BEARER, SAML2_HOLDER_OF_KEY, SAML2_NS, SHIBBOLETH_URI_ATTRIBUTE_NAMESPACE } from "./ns.ts";

/**
 * What a verified SAML assertion states, read only from the signed element. Values are the
 * full text of their element (textContent: every descendant text node), so a comment inside a
 * value (`alice<!---->@evil`) never truncates it — the known SAML comment-injection attack.
 */
export interface AssertionFacts {
  kind: "saml2" | "saml1";
  id: string;
  issuer: string;
  subject: string;
  /** Every audience of every audience restriction, in order (for display; see {@link isAudienceOf}). */
  audiences: string[];
  /**
   * The audiences of each AudienceRestriction (SAML 2.0) or AudienceRestrictionCondition (SAML
   * 1.1), one list per condition.
   */
  audienceRestrictions: string[][];
  /**
   * SAML 2.0: the NotBefore / NotOnOrAfter of each SubjectConfirmation's data (core §2.4.1.2:
   * when the subject may be confirmed, which may end long before the Conditions do). SAML 1.1
   * states no such times.
   */
  confirmationWindows: { notBefore: Date | undefined; notOnOrAfter: Date | undefined }[];
  /**
   * The conditions stated besides audience restrictions, SAML 2.0 OneTimeUse (`oneTimeUse`) and
   * SAML 1.1 DoNotCacheCondition (keep no copy: the STS keeps none), by local name:
   * ProxyRestriction, or a Condition of a type not known here.
   */
  otherConditions: string[];
  /**
   * SAML 2.0 OneTimeUse (core §2.5.1.5): the assertion is to be used once, and its relying party
   * keeps a record of its use (a replay cache, as Apache WSS4J 2.x keeps one). SAML 1.1 states
   * no such condition (its DoNotCacheCondition only asks not to keep the assertion).
   */
  oneTimeUse: boolean;
  /**
   * SAML 2.0: the earliest SessionNotOnOrAfter of its AuthnStatements (core §2.7.2: from then on
   * the session the authentication began MUST be considered ended). SAML 1.1 states none.
   */
  sessionEnds: Date | undefined;
  issuedAt: Date;
  notBefore: Date | undefined;
  expires: Date | undefined;
  authnInstant: Date | undefined;
  authnMethod: string | undefined;
  claims: Record<string, string[]>;
  /** The ds:KeyInfo of a holder-of-key confirmation; undefined for a bearer assertion. */
  holderOfKey: Element | undefined;
  /**
   * Every subject confirmation method stated (SAML 2.0 `SubjectConfirmation/@Method`; SAML 1.1
   * `ConfirmationMethod` in any statement's Subject).
   */
  confirmationMethods: string[];
}

/**
 * Whether the assertion confirms its subject as bearer and in no other way: at least one
 * confirmation, each a bearer one, no key to be proved (who presents it is whom it names).
 */
export function confirmsBearerOnly(f: AssertionFacts): boolean {
  const methods = f.confirmationMethods;
  return !f.holderOfKey && methods.length > 0 && methods.every((m) => m === SAML2_BEARER || m === SAML1_BEARER);
}

/**
 * Whether the assertion is meant for `audience`: named in every audience restriction, and at
 * least one stated. SAML 2.0 core §2.5.1.4 (SAML 1.1 core §2.3.2.1 alike): each restriction is
 * evaluated on its own, the audiences of one are alternatives, several restrictions all apply.
 */
export function isAudienceOf(f: AssertionFacts, audience: string): boolean {
  return f.audienceRestrictions.length > 0 && f.audienceRestrictions.every((r) => r.includes(audience));
}

/** The one ds:KeyInfo of a holder-of-key confirmation (`holder` being where it stands). */
function keyInfoIn(holder: Element | null): Element | undefined {
  if (!holder) throw invalidToken("The holder-of-key confirmation has no key.");
  const ki = childElements(holder, DSIG_NS, "KeyInfo");
  if (ki.length !== 1) throw invalidToken("The holder-of-key confirmation must state exactly one ds:KeyInfo.");
  return ki[0];
}

/** SAML 2.0: the key of the (one) holder-of-key SubjectConfirmation, if there is one. */
function saml2HolderOfKey(subject: Element): Element | undefined {
  const hok = childElements(subject, SAML2_NS, "SubjectConfirmation").filter((c) => c.getAttribute("Method") === SAML2_HOLDER_OF_KEY);
  if (hok.length === 0) return undefined;
  if (hok.length > 1) throw invalidToken("The assertion states more than one holder-of-key confirmation.");
  return keyInfoIn(firstChild(hok[0]!, SAML2_NS, "SubjectConfirmationData"));
}

/** SAML 1.1: the key of a Subject's holder-of-key SubjectConfirmation, if there is one. */
function saml1HolderOfKey(subject: Element): Element | undefined {
  const sc = firstChild(subject, SAML1_NS, "SubjectConfirmation");
  if (!sc) return undefined;
  const methods = childElements(sc, SAML1_NS, "ConfirmationMethod").map((m) => trimXmlSpace(textContent(m)));
  return methods.includes(SAML1_HOLDER_OF_KEY) ? keyInfoIn(sc) : undefined;
}


/** The local names of the children of `cond` that are not among `known` conditions of namespace `ns`. */
function otherConditions(cond: Element | null, ns: string, known: string[]): string[] {
  if (!cond) return [];
  return childElements(cond)
    .filter((c) => c.namespaceURI !== ns || !known.includes(c.localName ?? ""))
    .map((c) => c.localName ?? "");
}

/**
 * The subject's name (NameID, SAML 1.1 NameIdentifier). SAML 2.0 core §1.3.1 (SAML 1.1 core
 * §1.3.1 alike): a string holds at least one non-whitespace character; an empty name names
 * nobody, and every such assertion of an issuer would name the same nobody.
 */
function subjectName(el: Element): string {
  const name = trimXmlSpace(textContent(el));
  if (name === "") throw invalidToken("The assertion's subject name (NameID) is empty.");
  return name;
}

function earliest(times: (Date | undefined)[]): Date | undefined {
  let first: Date | undefined;
  for (const t of times) if (t && (!first || t.getTime() < first.getTime())) first = t;
  return first;
}

function one(parent: Element, ns: string, local: string, what: string): Element {
  const found = childElements(parent, ns, local);
  if (found.length !== 1) throw invalidToken(`The assertion must have exactly one ${what}.`);
  return found[0]!;
}

/**
 * A time attribute of the assertion. SAML's times are in UTC (SAML 2.0 core §1.3.3; SAML 1.1
 * likewise): one with no time zone is a local time of no stated place, so it is refused naming
 * the element, the attribute and the value, rather than read as UTC — which would move the
 * token's window by the sender's offset from UTC.
 */
function time(el: Element | null, attr: string, required: boolean): Date | undefined {
  // Absent is null; present but empty is an xs:dateTime that names no instant, refused below
  // like any other malformed time: read as absent it would drop the bound it was to state (a
  // SubjectConfirmationData or session end) or move one (AuthnInstant, from which the total
  // lifetime counts, would fall back to IssueInstant).
  const v = el?.getAttribute(attr) ?? null;
  if (v === null) {
    if (required) throw invalidToken(`The assertion lacks ${attr}.`);
    return undefined;
  }
  const d = zonedInstant(v);
  if (d === "no time zone") {
    throw invalidToken(`The assertion's ${el!.localName} ${attr} '${v.slice(0, 64)}' states no time zone: SAML times are in UTC (SAML 2.0 core §1.3.3), such as 2026-01-01T00:00:00Z.`);
  }
  if (!d) throw invalidToken(`The assertion's ${el!.localName} ${attr} '${v.slice(0, 64)}' is not an xs:dateTime such as 2026-01-01T00:00:00Z.`);
  return d;
}

function addClaim(claims: Record<string, string[]>, name: string, values: string[]): void {
  (claims[name] ??= []).push(...values);
}

/**
 * The claim an attribute states: SAML 2.0 its Name, SAML 1.1 its AttributeNamespace and
 * AttributeName joined with '/', except under Shibboleth's URI namespace, whose AttributeName is
 * the whole name: the claim a Shibboleth identity provider's SAML 2.0 assertion states by that
 * Name, so its user has the same claims over either version. Those are required strings, and
 * SAML 2.0 core §1.3.1 (SAML 1.1 core §1.3.1 alike) has a string hold at least one
 * non-whitespace character: an attribute named by a blank is refused with its assertion, as a
 * blank subject name is. Carried on, it would be a claim with no name in every token made from
 * it — an attribute that .NET's SAML readers refuse the whole token for, a JWT member named "".
 */
function attributeClaim(at: StatedAttribute): string {
  if (at.namespace === undefined) {
    if (isBlankClaimName(at.name)) throw invalidToken("The assertion states an attribute with an empty Name (SAML 2.0 core §1.3.1: a name holds a non-whitespace character).");
    return claimName(at.name);
  }
  if (isBlankClaimName(at.name) || isBlankClaimName(at.namespace)) {
    throw invalidToken("The assertion states an attribute with an empty AttributeName or AttributeNamespace (SAML 1.1 core §1.3.1: a name holds a non-whitespace character).");
  }
  if (at.namespace === SHIBBOLETH_URI_ATTRIBUTE_NAMESPACE) return claimName(at.name);
  return claimName(`${at.namespace}/${at.name}`);
}

/**
 * One attribute as the assertion states it: SAML 2.0 its `Name` (core §2.7.3.1); SAML 1.1 its
 * `AttributeName` in its `AttributeNamespace` (core §2.4.4.1).
 */
export interface StatedAttribute {
  name: string;
  /** SAML 1.1 only. */
  namespace?: string;
  values: string[];
}

/**
 * What is refused in place of an attribute or a name encrypted on its own (SAML 2.0 core §2.7.3
 * EncryptedAttribute, §2.2.4 EncryptedID). This STS opens a whole saml:EncryptedAssertion
 * (engine/open-encrypted.ts) and nothing inside one: read around, an encrypted attribute would
 * vanish from the claims without a word, and an encrypted name would read as no name at all.
 */
const ENCRYPTED_PART = (what: string) =>
  invalidToken(`The assertion carries an ${what}: this STS opens an encrypted assertion (saml:EncryptedAssertion), not an attribute or a name encrypted on its own; have its issuer encrypt the whole assertion instead.`);

/**
 * An attribute's values. SAML 2.0 core §2.7.3.1.1: an AttributeValue with xsi:nil true is a null
 * value, not the empty string (which is an empty AttributeValue without it): it is no value to
 * state, so it is left out — as .NET's SAML readers make no claim of it — rather than read as "".
 */
function statedValues(at: Element, ns: string): string[] {
  return childElements(at, ns, "AttributeValue")
    .filter((v) => parseXsBoolean(v.getAttributeNS(XSI_NS, "nil") ?? "") !== true)
    .map(textContent);
}

function saml2Attributes(a: Element): StatedAttribute[] {
  const statements = childElements(a, SAML2_NS, "AttributeStatement");
  if (statements.some((st) => childElements(st, SAML2_NS, "EncryptedAttribute").length > 0)) throw ENCRYPTED_PART("EncryptedAttribute");
  return statements.flatMap((st) =>
    childElements(st, SAML2_NS, "Attribute").map((at) => ({
      name: at.getAttribute("Name") ?? "",
      values: statedValues(at, SAML2_NS),
    })),
  );
}

function saml1Attributes(a: Element): StatedAttribute[] {
  return childElements(a, SAML1_NS, "AttributeStatement").flatMap((st) =>
    childElements(st, SAML1_NS, "Attribute").map((at) => ({
      name: at.getAttribute("AttributeName") ?? "",
      namespace: at.getAttribute("AttributeNamespace") ?? "",
      values: statedValues(at, SAML1_NS),
    })),
  );
}

/**
 * Every attribute of the assertion's attribute statements, in document order and as stated:
 * names not translated to claim types, attributes of one name not merged ({@link readAssertion}'s
 * `claims` does both). Call only on a signature-verified element.
 */
export function assertionAttributes(a: Element): StatedAttribute[] {
  if (a.localName === "Assertion" && a.namespaceURI === SAML2_NS) return saml2Attributes(a);
  if (a.localName === "Assertion" && a.namespaceURI === SAML1_NS) return saml1Attributes(a);
  throw invalidToken("The token is not a SAML assertion.");
}

/** Reads a SAML 2.0 assertion element (SAML 2.0 core §2.3.3). */
function readSaml2(a: Element): AssertionFacts {
  if (a.getAttribute("Version") !== "2.0") throw invalidToken("Unsupported SAML assertion version.");
  const subject = one(a, SAML2_NS, "Subject", "Subject");
  if (childElements(subject, SAML2_NS, "EncryptedID").length > 0) throw ENCRYPTED_PART("EncryptedID as its subject");
  const cond = firstChild(a, SAML2_NS, "Conditions");
  const audienceRestrictions = cond
    ? childElements(cond, SAML2_NS, "AudienceRestriction").map((ar) => childElements(ar, SAML2_NS, "Audience").map((au) => trimXmlSpace(textContent(au))))
    : [];
  const confirmations = childElements(subject, SAML2_NS, "SubjectConfirmation");
  const claims = newClaims();
  for (const at of saml2Attributes(a)) addClaim(claims, attributeClaim(at), at.values);
  const authn = firstChild(a, SAML2_NS, "AuthnStatement");
  const ctx = authn ? firstChild(authn, SAML2_NS, "AuthnContext") : null;
  const classRef = ctx ? firstChild(ctx, SAML2_NS, "AuthnContextClassRef") : null;
  return {
    kind: "saml2",
    id: a.getAttribute("ID") ?? "",
    issuer: trimXmlSpace(textContent(one(a, SAML2_NS, "Issuer", "Issuer"))),
    subject: subjectName(one(subject, SAML2_NS, "NameID", "NameID")),
    audiences: audienceRestrictions.flat(),
    audienceRestrictions,
    otherConditions: otherConditions(cond, SAML2_NS, ["AudienceRestriction", "OneTimeUse"]),
    oneTimeUse: cond !== null && childElements(cond, SAML2_NS, "OneTimeUse").length > 0,
    sessionEnds: earliest(childElements(a, SAML2_NS, "AuthnStatement").map((st) => time(st, "SessionNotOnOrAfter", false))),
    confirmationWindows: confirmations.map((c) => {
      const data = firstChild(c, SAML2_NS, "SubjectConfirmationData");
      return { notBefore: time(data, "NotBefore", false), notOnOrAfter: time(data, "NotOnOrAfter", false) };
    }),
    issuedAt: time(a, "IssueInstant", true)!,
    notBefore: time(cond, "NotBefore", false),
    expires: time(cond, "NotOnOrAfter", false),
    authnInstant: time(authn, "AuthnInstant", false),
    authnMethod: classRef ? trimXmlSpace(textContent(classRef)) : undefined,
    claims,
    holderOfKey: saml2HolderOfKey(subject),
    confirmationMethods: [...new Set(confirmations.map((c) => trimXmlSpace(c.getAttribute("Method") ?? "")))],
  };
}

/** Reads a SAML 1.1 assertion element (SAML 1.1 core §2.3.2); every Subject must agree. */
function readSaml1(a: Element): AssertionFacts {
  if (a.getAttribute("MajorVersion") !== "1" || a.getAttribute("MinorVersion") !== "1") {
    throw invalidToken("Unsupported SAML assertion version.");
  }
  const cond = firstChild(a, SAML1_NS, "Conditions");
  const audienceRestrictions = cond
    ? childElements(cond, SAML1_NS, "AudienceRestrictionCondition").map((ar) => childElements(ar, SAML1_NS, "Audience").map((au) => trimXmlSpace(textContent(au))))
    : [];
  const subjects = new Set<string>();
  const methods = new Set<string>();
  let holderOfKey: Element | undefined;
  let authn: Element | null = null;
  for (const st of childElements(a)) {
    if (st.namespaceURI !== SAML1_NS) continue;
    const s = firstChild(st, SAML1_NS, "Subject");
    if (s) {
      subjects.add(subjectName(one(s, SAML1_NS, "NameIdentifier", "NameIdentifier")));
      // Every statement's Subject states the same key (we write it so); the first one is read.
      holderOfKey ??= saml1HolderOfKey(s);
      for (const c of childElements(s, SAML1_NS, "SubjectConfirmation")) {
        for (const m of childElements(c, SAML1_NS, "ConfirmationMethod")) methods.add(trimXmlSpace(textContent(m)));
      }
    }
    if (st.localName === "AuthenticationStatement") authn = st;
  }
  const claims = newClaims();
  for (const at of saml1Attributes(a)) addClaim(claims, attributeClaim(at), at.values);
  if (subjects.size !== 1) throw invalidToken("The assertion must name exactly one subject.");
  return {
    kind: "saml1",
    id: a.getAttribute("AssertionID") ?? "",
    issuer: a.getAttribute("Issuer") ?? "",
    subject: [...subjects][0]!,
    audiences: audienceRestrictions.flat(),
    audienceRestrictions,
    confirmationWindows: [],
    otherConditions: otherConditions(cond, SAML1_NS, ["AudienceRestrictionCondition", "DoNotCacheCondition"]),
    oneTimeUse: false,
    sessionEnds: undefined,
    issuedAt: time(a, "IssueInstant", true)!,
    notBefore: time(cond, "NotBefore", false),
    expires: time(cond, "NotOnOrAfter", false),
    authnInstant: time(authn, "AuthenticationInstant", false),
    authnMethod: authn?.getAttribute("AuthenticationMethod") ?? undefined,
    claims,
    holderOfKey,
    confirmationMethods: [...methods],
  };
}

/** Reads the facts of a SAML 2.0 or 1.1 assertion. Call only on a signature-verified element. */
export function readAssertion(a: Element): AssertionFacts {
  if (a.localName === "Assertion" && a.namespaceURI === SAML2_NS) return readSaml2(a);
  if (a.localName === "Assertion" && a.namespaceURI === SAML1_NS) return readSaml1(a);
  throw invalidToken("The token is not a SAML assertion.");
}

/**
 * The issuer an assertion claims, read without the rest (an unverified peek that only chooses
 * which keys must verify it).
 */
export function assertionIssuer(a: Element): string {
  if (a.localName === "Assertion" && a.namespaceURI === SAML2_NS) return trimXmlSpace(textContent(one(a, SAML2_NS, "Issuer", "Issuer")));
  if (a.localName === "Assertion" && a.namespaceURI === SAML1_NS) return a.getAttribute("Issuer") ?? "";
  throw invalidToken("The token is not a SAML assertion.");
}
