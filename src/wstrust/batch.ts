import type { Element } from "@xmldom/xmldom";
import { StsError, invalidRequest } from "../errors.ts";
import type { Requestor, StsContext } from "../engine/types.ts";
import type { AuditFacts, AuditItem } from "../web/audit.ts";
import { faultName } from "../soap/fault.ts";
import { childElements, strayText } from "../xml/dom.ts";
import type { Markup } from "../xml/markup.ts";
import type { TrustNs } from "./ns.ts";
import { type RequestKind, type Rst, readContext, readRequestKind, readRst } from "./rst.ts";
import { collection, statusRstr } from "./rstr.ts";
import { asStsError } from "./unexpected.ts";

type Handler = (ctx: StsContext, who: Requestor, rst: Rst) => Promise<Markup>;

/**
 * An item that failed: an RSTR carrying the item's Context and a wst:Status whose Reason names
 * the WS-Trust fault, so one bad item does not fail the whole batch (WS-Trust 1.3 leaves
 * per-item failures to the service; this is our documented choice).
 */
function failedItem(t: TrustNs, ctx: string | undefined, e: StsError): Markup {
  return statusRstr(t, ctx, false, `${faultName(e.code)}: ${e.message}`);
}

/** A request collection as read before authentication: its items and the one operation they ask for. */
export interface Batch {
  items: Element[];
  /** Undefined when no item's RequestType can be read (each then fails on its own). */
  kind: RequestKind | undefined;
}

/**
 * Reads a wst:RequestSecurityTokenCollection before authentication and before any item runs, so
 * that a collection refused as a whole has changed nothing: it must hold 1 to `maxItems`
 * wst:RequestSecurityToken elements of its own namespace and nothing else. Every item must ask
 * for the same operation (as Apache CXF's STS also requires), so the action can be checked
 * against it: a batch is sent with one action, and a Cancel hidden among Validates would pass a
 * gateway that allows only Validate. Items whose RequestType cannot be read are left to fail on
 * their own.
 */
export function readBatch(rstc: Element, trust: TrustNs, maxItems: number): Batch {
  const items = childElements(rstc);
  // Text between the items is no request anyone can read: a gateway that logs the collection's
  // text would see another message than the items this STS runs.
  const stray = strayText(rstc);
  if (stray !== undefined) throw invalidRequest(`A request collection may contain only wst:RequestSecurityToken elements; it holds text ('${stray.trim().slice(0, 64)}').`);
  if (items.length === 0) throw invalidRequest("The request collection is empty.");
  if (items.length > maxItems) throw invalidRequest(`A batch may hold at most ${maxItems} requests.`);
  let kind: RequestKind | undefined;
  for (const item of items) {
    if (item.namespaceURI !== trust.ns || item.localName !== "RequestSecurityToken") {
      throw invalidRequest("A request collection may contain only wst:RequestSecurityToken elements.");
    }
    let k: RequestKind;
    try {
      k = readRequestKind(item, trust, true);
    } catch (e) {
      if (e instanceof StsError) continue;
      throw e;
    }
    if (kind !== undefined && k !== kind) throw invalidRequest("Every request in a batch must ask for the same operation.");
    kind = k;
  }
  return { items, kind };
}

/**
 * BatchIssue / BatchValidate / BatchRenew / BatchCancel: every item is processed in order and
 * answered by one RSTR in an RSTRC. Each item is audited on its own (operation, subject, target,
 * token, result), in the `items` of the batch's one audit line: a batch may cancel or renew the
 * tokens of several subjects, and its line must say which it did to each. An item that fails for any reason — an unexpected error too (logged with
 * `where`), such as a state object that could not be reached — fails alone: the items before it
 * have cancelled or renewed their tokens, and a fault for the whole batch would tell the client
 * nothing was done, so that a retried BatchRenew would present tokens already renewed, as reuse
 * that revokes their renewal families.
 */
export async function handleBatch(ctx: StsContext, who: Requestor, batch: Batch, trust: TrustNs, handle: Handler, where: string): Promise<Markup> {
  const out: Markup[] = [];
  const audited: AuditItem[] = (ctx.audit.items = []);
  for (const item of batch.items) {
    const context = readContext(item);
    const facts: AuditFacts = {};
    let error: string | undefined;
    try {
      // The kind first, as for a single RST: an item refused for the rest of it is logged as
      // the operation it refused.
      facts.operation = `wstrust.${readRequestKind(item, trust, true)}`;
      const rst = readRst(item, trust, true);
      out.push(await handle({ ...ctx, audit: facts }, who, rst));
    } catch (caught) {
      const e = asStsError(caught, where);
      out.push(failedItem(trust, context, e));
      error = e.code;
    }
    audited.push({ operation: facts.operation ?? "wstrust", subject: facts.subject, target: facts.target, tokenId: facts.tokenId, error });
  }
  return collection(trust, out);
}
