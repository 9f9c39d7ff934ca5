/**
 * WS-Trust versions we speak. 1.3 (OASIS, 200512) and 1.4 share one namespace for the core
 * elements (1.4 only adds elements in the 200802 namespace); the February 2005 namespace is
 * what WSE 3 / .NET 3.0 and AD FS 2.0-era clients send as "WSTrustFeb2005".
 */
export type TrustVersion = "13" | "2005";

export interface TrustNs {
  version: TrustVersion;
  ns: string;
  /** wsp namespace used for AppliesTo. */
  requestTypes: { issue: string; validate: string; renew: string; cancel: string };
  batchTypes: { issue: string; validate: string; renew: string; cancel: string };
  actions: {
    issue: string;
    issueReply: string;
    validate: string;
    validateReply: string;
    renew: string;
    renewReply: string;
    cancel: string;
    cancelReply: string;
  };
  /** Token type for a Validate status response. */
  statusTokenType: string;
  statusValid: string;
  statusInvalid: string;
  bearerKeyTypes: string[];
  /** WS-Trust 1.3 §4.4: a proof-of-possession key shared by requestor and relying party. */
  symmetricKeyType: string;
  /** WS-Trust 1.3 §4.4: the requestor's own public key (wst:UseKey). */
  publicKeyType: string;
  /** wst:BinarySecret Type of entropy (§3.3). */
  nonceType: string;
  /** wst:BinarySecret Type of a proof key the STS generated (§3.3). */
  symmetricSecretType: string;
  /** §4.4.3: the one ComputedKeyAlgorithm, P_SHA1(requestor entropy, issuer entropy). */
  psha1: string;
}

const T13 = "http://docs.oasis-open.org/ws-sx/ws-trust/200512";
const T05 = "http://schemas.xmlsoap.org/ws/2005/02/trust";
export const WST14_NS = "http://docs.oasis-open.org/ws-sx/ws-trust/200802";
export const WSP_NS = "http://schemas.xmlsoap.org/ws/2004/09/policy";
export const WSP15_NS = "http://www.w3.org/ns/ws-policy";

export const TRUST13: TrustNs = {
  version: "13",
  ns: T13,
  requestTypes: { issue: `${T13}/Issue`, validate: `${T13}/Validate`, renew: `${T13}/Renew`, cancel: `${T13}/Cancel` },
  batchTypes: {
    issue: `${T13}/BatchIssue`,
    validate: `${T13}/BatchValidate`,
    renew: `${T13}/BatchRenew`,
    cancel: `${T13}/BatchCancel`,
  },
  actions: {
    issue: `${T13}/RST/Issue`,
    // WS-Trust 1.3 §4.2: the final response to an Issue is an RSTRC with this action.
    issueReply: `${T13}/RSTRC/IssueFinal`,
    validate: `${T13}/RST/Validate`,
    validateReply: `${T13}/RSTR/ValidateFinal`,
    renew: `${T13}/RST/Renew`,
    renewReply: `${T13}/RSTR/RenewFinal`,
    cancel: `${T13}/RST/Cancel`,
    cancelReply: `${T13}/RSTR/CancelFinal`,
  },
  statusTokenType: `${T13}/RSTR/Status`,
  statusValid: `${T13}/status/valid`,
  statusInvalid: `${T13}/status/invalid`,
  bearerKeyTypes: [`${T13}/Bearer`],
  symmetricKeyType: `${T13}/SymmetricKey`,
  publicKeyType: `${T13}/PublicKey`,
  nonceType: `${T13}/Nonce`,
  symmetricSecretType: `${T13}/SymmetricKey`,
  psha1: `${T13}/CK/PSHA1`,
};

export const TRUST2005: TrustNs = {
  version: "2005",
  ns: T05,
  requestTypes: { issue: `${T05}/Issue`, validate: `${T05}/Validate`, renew: `${T05}/Renew`, cancel: `${T05}/Cancel` },
  batchTypes: {
    issue: `${T05}/BatchIssue`,
    validate: `${T05}/BatchValidate`,
    renew: `${T05}/BatchRenew`,
    cancel: `${T05}/BatchCancel`,
  },
  actions: {
    issue: `${T05}/RST/Issue`,
    issueReply: `${T05}/RSTR/Issue`,
    validate: `${T05}/RST/Validate`,
    validateReply: `${T05}/RSTR/Validate`,
    renew: `${T05}/RST/Renew`,
    renewReply: `${T05}/RSTR/Renew`,
    cancel: `${T05}/RST/Cancel`,
    cancelReply: `${T05}/RSTR/Cancel`,
  },
  statusTokenType: `${T05}/RSTR/Status`,
  statusValid: `${T05}/status/valid`,
  statusInvalid: `${T05}/status/invalid`,
  // The 2005 spec has no Bearer key type; WCF sends the identity NoProofKey URI for it.
  bearerKeyTypes: ["http://schemas.xmlsoap.org/ws/2005/05/identity/NoProofKey", `${T05}/Bearer`],
  symmetricKeyType: `${T05}/SymmetricKey`,
  publicKeyType: `${T05}/PublicKey`,
  nonceType: `${T05}/Nonce`,
  symmetricSecretType: `${T05}/SymmetricKey`,
  psha1: `${T05}/CK/PSHA1`,
};

/** Every WS-Trust namespace we know: 1.3, the February 2005 draft, and 1.4's additions. */
export const WS_TRUST_NAMESPACES: readonly string[] = [T13, T05, WST14_NS];

export function trustByNs(ns: string | null): TrustNs | undefined {
  return ns === T13 ? TRUST13 : ns === T05 ? TRUST2005 : undefined;
}
