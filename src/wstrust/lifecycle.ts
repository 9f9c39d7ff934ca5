import type { Element } from "@xmldom/xmldom";
import type { Authenticated } from "../engine/authenticate.ts";
import type { StsContext } from "../engine/types.ts";
import type { TrustNs } from "./ns.ts";
import type { RequestKind, Rst } from "./rst.ts";

type Handler = (ctx: StsContext, who: Authenticated, rst: Rst) => Promise<string>;

/** The state-backed WS-Trust operations, bound to the lifecycle store by the caller. */
export interface LifecycleHandlers {
  /** Issue, bound to state for OnBehalfOf / ActAs (a plain Issue never uses it). */
  issue: Handler;
  validate: Handler;
  renew: Handler;
  cancel: Handler;
  /** A RequestSecurityTokenCollection: one RSTR per item, failures reported per item. */
  batch: (
    ctx: StsContext,
    who: Authenticated,
    rstc: Element,
    trust: TrustNs,
    handlers: Record<RequestKind, Handler>,
  ) => Promise<string>;
}
