/** ds:KeyInfo for a public JWK, written here (independent of src/xmldsig/key-info.ts), for proof-key tests. */
const DS = "http://www.w3.org/2000/09/xmldsig#";
const DSIG11 = "http://www.w3.org/2009/xmldsig11#";
const b64 = (b: Uint8Array) => btoa(String.fromCharCode(...b));
const unb64 = (s: string) => Uint8Array.from(atob(s.replace(/\s/g, "")), (c) => c.charCodeAt(0));
export const b64u2b64 = (s: string) => b64(unb64url_bytes(s));
export function unb64url_bytes(s: string): Uint8Array {
  return unb64(s.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((s.length + 3) % 4));
}
export function rsaKeyInfo(jwk: JsonWebKey): string {
  return `<ds:KeyInfo xmlns:ds="${DS}"><ds:KeyValue><ds:RSAKeyValue><ds:Modulus>${b64u2b64(jwk.n!)}</ds:Modulus><ds:Exponent>${b64u2b64(jwk.e!)}</ds:Exponent></ds:RSAKeyValue></ds:KeyValue></ds:KeyInfo>`;
}
export function ecKeyInfo(jwk: JsonWebKey, curveOid = "1.2.840.10045.3.1.7"): string {
  const point = new Uint8Array([4, ...unb64url_bytes(jwk.x!), ...unb64url_bytes(jwk.y!)]);
  return `<ds:KeyInfo xmlns:ds="${DS}"><ds:KeyValue><dsig11:ECKeyValue xmlns:dsig11="${DSIG11}"><dsig11:NamedCurve URI="urn:oid:${curveOid}"/><dsig11:PublicKey>${b64(point)}</dsig11:PublicKey></dsig11:ECKeyValue></ds:KeyValue></ds:KeyInfo>`;
}

