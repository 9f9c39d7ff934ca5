import type { Context, Env as HonoEnv, Hono } from "hono";
import { pairwiseSector, userOfPseudonym } from "../engine/pairwise.ts";
import { localNameLike } from "../engine/users.ts";
import type { RequestServices, StsContext } from "../engine/types.ts";
import { invalidRequest } from "../errors.ts";
import { NO_STORE } from "../web/headers.ts";
import { AdminError, throughDoor } from "./door.ts";
import { type RevokedWhom, readRevokeSubjectRequest } from "./request.ts";
import { registerUserRoutes } from "./users.ts";

/**
 * The one answer to every caller that is not a service account allowed to revoke subjects —
 * no credentials, a wrong password, an unknown name, a user's right password, a service
 * account without the operation — so that this door tells nobody which passwords are right.
 */
const REFUSED = "Send the credentials of a service account allowed to revoke subjects, with HTTP Basic.";

/**
 * `POST /admin/revoke-subject` — revoke everything a subject holds, issued before now (or
 * `before`), with one write to the subject's state object. Caller: a service account with
 * the `revoke-subject` operation, over HTTP Basic (src/admin/door.ts). Body: JSON
 * `{"subject": "alice"}`, or `{"pseudonym": "...", "relying_party" | "sector": "..."}` for the
 * user a pairwise relying party knows by that pseudonym, and `"before"?: "<RFC 3339 date-time>"`,
 * read under `limits.maxBodyBytes`. Every protocol (WS-Trust Validate/Renew, introspection,
 * exchange) then sees those tokens as revoked. And `/admin/users`, the user directory's
 * administration (src/admin/users.ts).
 */
export function registerAdminRoutes<E extends HonoEnv>(app: Hono<E>, services: (c: Context<E>) => RequestServices): void {
  app.post("/admin/revoke-subject", (c) =>
    throughDoor(c, services, { route: "revoke-subject", operation: "admin.revoke_subject", refused: REFUSED }, async ({ ctx, state }) => {
      const req = await readRevokeSubjectRequest(c.req.raw, ctx.config.limits.maxBodyBytes, ctx.now().getTime());
      const { subject, shown } = await revokedSubject(ctx, req.whom);
      // A name typed in another case or Unicode form, or with white space at its ends, is the
      // account it looks like (as the directory refuses a second such name): tokens state the
      // account's name, so revoking only the name as sent would answer 200 and end none of
      // them. The name as sent is revoked too (a token may name a party the STS holds nothing
      // for: a removed user, a partner's local subject), at the same cut-off.
      const account = "subject" in req.whom ? await localNameLike(ctx, subject) : undefined;
      const also = account !== undefined && account !== subject ? account : undefined;
      ctx.audit.subject = also ?? subject;
      if (also !== undefined) ctx.audit.outcome = `also revoked as sent: ${JSON.stringify(subject)}`;
      const cutoff = await state.revokeSubject({ subject }, req.before);
      if (also !== undefined) await state.revokeSubject({ subject: also }, cutoff);
      return c.json({ ...shown, ...(also !== undefined && { account: also }), revoked_before: new Date(cutoff).toISOString() }, 200, NO_STORE);
    }),
  );
  registerUserRoutes(app, services);
}

/**
 * The subject whose tokens are revoked, and how the answer names it. A pseudonym is answered
 * with the pseudonym and its sector, never the name it stands for: the answer goes to whoever
 * holds the operation, the name only to the audit line (the operator's).
 */
async function revokedSubject(ctx: StsContext, whom: RevokedWhom): Promise<{ subject: string; shown: Record<string, string> }> {
  if ("subject" in whom) return { subject: whom.subject, shown: { subject: whom.subject } };
  const sector = pairwiseSector(ctx, whom);
  if (sector === undefined) {
    throw invalidRequest(
      "relyingParty" in whom
        ? "'relying_party' names no relying party with pairwise subjects here: a public party's tokens state the name itself; send it as 'subject'."
        : "'sector' is the sector of no relying party with pairwise subjects here.",
    );
  }
  ctx.audit.target = sector;
  const subject = await userOfPseudonym(ctx, whom.pseudonym, sector);
  if (subject === undefined) {
    throw new AdminError(
      404,
      "subject_not_found",
      "No user has this pseudonym in that sector (under this issuer and pairwise secret). A partner's subject is held nowhere to be found from its pseudonym: revoke it as 'subject' by its name, <issuer>#<subject>, which the audit lines of its tokens give.",
    );
  }
  return { subject, shown: { pseudonym: whom.pseudonym, sector } };
}
