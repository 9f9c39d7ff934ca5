/**
 * Validate with status of a presented X.509 certificate: would this STS accept it from a
 * requestor now? The same answer a certificatemixed request signed with it would get before its
 * signature is looked at (src/keys/cert-path.ts: pinned, or issued by a configured authority;
 * valid now; allowed to sign) and the principal it acts as (`requestorCertificates.principals`).
 * A certificate issued through intermediates is judged with them when it comes as a certificate
 * path (X509PKIPathv1), as certificatemixed judges it with the intermediates sent beside it;
 * an intermediate configured as an authority needs no path.
 */
import { authenticateCertificate } from "./authenticate.ts";
import type { StatusResult } from "./check.ts";
import { checkCertificatePath, requestorCertificate, requestorCertificatePath } from "../keys/cert-path.ts";
import { StsError } from "../errors.ts";
import { type PresentedCertificate, type StsContext, requestorName } from "./types.ts";

export async function certificateStatus(ctx: StsContext, presented: PresentedCertificate["certificate"]): Promise<StatusResult> {
  const invalid = (reason: string): StatusResult => ({ valid: false, reason, token: undefined });
  const policy = ctx.config.requestorCertificates;
  if (!policy) return invalid("This STS trusts no requestor certificates (none are configured).");
  // Parsed once per certificate while it keeps coming (with its checked issuer signature).
  const read = presented.path ? requestorCertificatePath(presented.base64) : requestorCertificate(presented.base64);
  if (typeof read === "string") return invalid(`${read[0]!.toUpperCase()}${read.slice(1)}.`);
  const [certificate, offered] = "end" in read ? [read.end, read.offered] : [read, []];
  const path = await checkCertificatePath(certificate, offered, policy.trust, ctx.now());
  if (!path.ok) return invalid(path.reason);
  try {
    const who = await authenticateCertificate(ctx, path);
    const name = requestorName(who);
    ctx.audit.subject = name;
    return { valid: true, reason: `The certificate is trusted and acts as ${name}.`, token: undefined };
  } catch (e) {
    if (e instanceof StsError && e.code === "authentication_failed") return invalid(e.message);
    throw e;
  }
}
