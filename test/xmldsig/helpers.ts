import type { Document, Element } from "@xmldom/xmldom";
import { KeyRing } from "../../src/keys/keyring.ts";
import type { SigningKey } from "../../src/keys/keyring.ts";
import { derToPem, fromBase64 } from "../../src/keys/pem.ts";
import { buildSelfSignedCertificate } from "../../src/keys/x509.ts";
import { parseXml } from "../../src/xml/parse.ts";
import type { AnchorKey } from "../../src/xmldsig/verify.ts";

export const DS = "http://www.w3.org/2000/09/xmldsig#";

export function parse(xml: string): Document {
  return parseXml(xml);
}

export function root(xml: string): Element {
  return parse(xml).documentElement!;
}

/** A verify-only key ring entry from a PEM certificate (how trusted issuers are pinned). */
export async function anchorKeyFromCertPem(pem: string): Promise<SigningKey> {
  return (await KeyRing.load([{ status: "previous", certificatePem: pem }])).all()[0]!;
}

/** An anchor key from a bare SPKI PEM, bound to the given certificate bytes (for KeyInfo selection). */
export function anchorKeyFromSpkiPem(pem: string, certificateDer: Uint8Array, params: { name: string; namedCurve?: string }): AnchorKey {
  const spki = fromBase64(pem.replace(/-----[^-]+-----/g, "")) as Uint8Array<ArrayBuffer>;
  return {
    certificateDer,
    publicKeyFor: (alg) =>
      crypto.subtle.importKey("spki", spki, params.name === "ECDSA" ? params : { ...params, hash: `SHA-${alg.slice(2)}` }, false, ["verify"]),
  };
}

/** All ds:X509Certificate values in a document, as DER. */
export function certificatesIn(doc: Document): Uint8Array[] {
  const list = doc.getElementsByTagNameNS(DS, "X509Certificate");
  const out: Uint8Array[] = [];
  for (let i = 0; i < list.length; i++) out.push(fromBase64(list.item(i)!.textContent ?? ""));
  return out;
}

const generated = new Map<string, Promise<SigningKey>>();

/** A fresh signing key with a self-signed certificate (memoised per spec within a test file). */
export function generatedKey(spec: "RSA-2048" | "P-256" | "P-384" | "P-521", kid?: string): Promise<SigningKey> {
  const cacheKey = `${spec}/${kid ?? ""}`;
  let p = generated.get(cacheKey);
  if (!p) {
    p = (async () => {
      const alg = spec === "RSA-2048"
        ? { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: Uint8Array.of(1, 0, 1), hash: "SHA-256" }
        : { name: "ECDSA", namedCurve: spec };
      const pair = (await crypto.subtle.generateKey(alg, true, ["sign", "verify"])) as CryptoKeyPair;
      const der = await buildSelfSignedCertificate({
        ...pair,
        commonName: `test ${spec}`,
        notBefore: new Date(Date.UTC(2026, 0, 1)),
        notAfter: new Date(Date.UTC(2027, 0, 1)),
      });
      const pkcs8 = new Uint8Array((await crypto.subtle.exportKey("pkcs8", pair.privateKey)) as ArrayBuffer);
      const ring = await KeyRing.load([
        { ...(kid ? { kid } : {}), status: "current", privateKeyPem: derToPem(pkcs8, "PRIVATE KEY"), certificatePem: derToPem(der, "CERTIFICATE") },
      ]);
      return ring.all()[0]!;
    })();
    generated.set(cacheKey, p);
  }
  return p;
}
