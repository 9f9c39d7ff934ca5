import type { Element } from "@xmldom/xmldom";
import { StsError, invalidRequest } from "../errors.ts";
import type { Requestor, StsContext } from "../engine/types.ts";
import { childElements } from "../xml/dom.ts";
import { type Markup, xml } from "../xml/markup.ts";
import type { TrustNs } from "./ns.ts";
import { type RequestKind, type Rst, readRequestKind, readRst } from "./rst.ts";
import { collection, context } from "./rstr.ts";

type Handler = (ctx: StsContext, who: Requestor, rst: Rst) => Promise<Markup>;

/**
 * An item that failed: an RSTR carrying the item's Context and a wst:Status whose Reason names
 * the WS-Trust fault, so one bad item does not fail the whole batch (WS-Trust 1.3 leaves
 * per-item failures to the service; this is our documented choice).
 */
function failedItem(t: TrustNs, ctx: string | undefined, e: StsError): Markup {
  return xml`<wst:RequestSecurityTokenResponse xmlns:wst="${t.ns}"${context(ctx)}><wst:TokenType>${t.statusTokenType}</wst:TokenType><wst:Status><wst:Code>${t.statusInvalid}</wst:Code><wst:Reason>${`${e.code}: ${e.message}`}</wst:Reason></wst:Status></wst:RequestSecurityTokenResponse>`;
}

/**
 * The one operation a request collection asks for, read before authentication so the action
 * can be checked against it. Every item must ask for the same operation (as Apache CXF's STS
 * also requires): a batch is sent with one action, and a Cancel hidden among Validates would
 * pass a gateway that allows only Validate. Items whose RequestType cannot be read are left to
 * fail on their own; undefined when no item names an operation.
 */
export function batchKind(rstc: Element, trust: TrustNs): RequestKind | undefined {
  let kind: RequestKind | undefined;
  for (const item of childElements(rstc, trust.ns, "RequestSecurityToken")) {
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
  return kind;
}

/**
 * wst:RequestSecurityTokenCollection (BatchIssue / BatchValidate / BatchRenew / BatchCancel):
 * every item is processed in order and answered by one RSTR in an RSTRC.
 */
export async function handleBatch(
  ctx: StsContext,
  who: Requestor,
  rstc: Element,
  trust: TrustNs,
  handle: Handler,
): Promise<Markup> {
  const items = childElements(rstc);
  if (items.length === 0) throw invalidRequest("The request collection is empty.");
  if (items.length > ctx.config.limits.maxBatchItems) {
    throw invalidRequest(`A batch may hold at most ${ctx.config.limits.maxBatchItems} requests.`);
  }
  const out: Markup[] = [];
  for (const item of items) {
    if (item.namespaceURI !== trust.ns || item.localName !== "RequestSecurityToken") {
      throw invalidRequest("A request collection may contain only wst:RequestSecurityToken elements.");
    }
    const context = item.getAttribute("Context") || undefined;
    try {
      const rst = readRst(item, trust, true);
      out.push(await handle(ctx, who, rst));
    } catch (e) {
      if (!(e instanceof StsError)) throw e;
      out.push(failedItem(trust, context, e));
    }
  }
  return collection(trust, out);
}
