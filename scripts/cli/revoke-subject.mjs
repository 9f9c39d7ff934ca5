// `npm run sts -- revoke-subject SUBJECT` — revokes every token a subject holds on a running STS
// (POST /admin/revoke-subject), as a service account holding `revoke-subject`: what an operator
// does when a user's credentials or device are compromised.
import { UsageError, parseArgs } from "./input.mjs";
import { CONNECTION_HELP, CONNECTION_OPTIONS, connect, guarded } from "./admin-api.mjs";
import { visible } from "./terminal.mjs";

export const USAGE = `usage: sts revoke-subject SUBJECT [--before DATE-TIME] [connection options]
       sts revoke-subject PSEUDONYM (--relying-party RP | --sector SECTOR) [--before DATE-TIME] [connection options]

Revokes every token issued to SUBJECT (a user name, a service account, or a federated subject
as our tokens name it: <issuer>#<subject>) before now — and to the account SUBJECT looks like
when it is typed in another case or Unicode form, or with spaces at its ends — or before --before (an RFC 3339
date-time with a time zone, not in the future). From the answer on, every Validate, Renew,
introspection and token exchange of those tokens fails, in every protocol, and the subject's
browser sign-in sessions end. Tokens issued afterwards are not affected: to keep someone out,
also disable them (sts users disable) or change their password.

With --relying-party (a pairwise relying party's identifier: the token's audience) or --sector
(its sector: a SAML token's SPNameQualifier), the argument is the pseudonym a pairwise token
states (its sub or NameID), and the user it stands for is revoked — in every sector and at
public relying parties too — without the answer naming them.

Takes ${CONNECTION_HELP}.

Development: --admin sts-admin with STS_ADMIN_SECRET=sts-admin-secret-5e4d3c2b1a0f9e8d.`;

/** The answer of POST /admin/revoke-subject. */
const REVOKED = { subject: "string", account: "string?", revoked_before: "string" };
const REVOKED_PSEUDONYM = { pseudonym: "string", sector: "string", revoked_before: "string" };

export async function run(args) {
  return guarded("sts revoke-subject", USAGE, async () => {
    const { opts, positional } = parseArgs(args, { ...CONNECTION_OPTIONS, before: "value", "relying-party": "value", sector: "value" });
    if (positional.length !== 1) throw new UsageError(positional.length ? `expected one SUBJECT, got ${positional.length}` : "name the SUBJECT");
    if (opts["relying-party"] !== undefined && opts.sector !== undefined) throw new UsageError("give --relying-party or --sector, not both");
    const whom =
      opts["relying-party"] !== undefined ? { pseudonym: positional[0], relying_party: opts["relying-party"] }
      : opts.sector !== undefined ? { pseudonym: positional[0], sector: opts.sector }
      : { subject: positional[0] };
    const api = connect(opts, "sts revoke-subject");
    const r = await api("POST", "/admin/revoke-subject", { ...whom, ...(opts.before === undefined ? {} : { before: opts.before }) }, { shape: whom.subject === undefined ? REVOKED_PSEUDONYM : REVOKED });
    const who =
      whom.subject === undefined ? `the user whose pseudonym in ${visible(r.sector)} is ${visible(r.pseudonym)}`
      : r.account === undefined ? visible(r.subject)
      : `${visible(r.account)} (the account ${visible(r.subject)} looks like) and of ${visible(r.subject)} as typed`;
    console.log(`revoked every token of ${who} issued before ${visible(r.revoked_before)}`);
    return 0;
  });
}
