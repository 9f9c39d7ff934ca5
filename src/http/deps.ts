import { withRenewalLimit } from "../abuse/guard.ts";
import type { Env } from "../env.ts";
import type { ResolvedConfig } from "../config/types.ts";
import { stateFor } from "./state.ts";
import type { TrustDeps } from "../wstrust/endpoint.ts";
import { handleBatch } from "../wstrust/batch.ts";
import { handleIssue } from "../wstrust/issue.ts";
import { handleCancel } from "../wstrust/cancel.ts";
import { handleRenew } from "../wstrust/renew.ts";
import { handleValidate } from "../wstrust/validate.ts";

/** UsernameToken Created values older than this are refused, so the replay cache stays bounded. */
const NONCE_WINDOW_MS = 10 * 60 * 1000;

/** Binds the WS-Trust endpoint to this request's Durable Object state. */
export function trustDeps(env: Env, config: ResolvedConfig, clientAddress?: string): TrustDeps {
  const state = stateFor(env, config);
  return {
    lifecycle: {
      issue: (ctx, who, rst) => handleIssue(ctx, state, who, rst),
      validate: (ctx, who, rst) => handleValidate(ctx, state, who, rst),
      renew: (ctx, who, rst) => {
        const requestor = who.kind === "user" ? who.identity.subject : who.account.username;
        return handleRenew(ctx, withRenewalLimit(state, ctx.config.limits, requestor), who, rst);
      },
      cancel: (ctx, who, rst) => handleCancel(ctx, state, who, rst),
      batch: handleBatch,
    },
    abuse: { counter: state, clientAddress },
    rememberNonce: async (username, nonce, created) => {
      // WS-Security Username Token Profile 1.1 §3.1: Nonce + Created identify a token; keep
      // them for the freshness window and refuse a repeat.
      if (Date.now() - created.getTime() > NONCE_WINDOW_MS) return false;
      return state.rememberNonce(`ut:${username}:${nonce}:${created.toISOString()}`, created.getTime() + NONCE_WINDOW_MS);
    },
  };
}
