import { concatBytes } from "../bytes.ts";
import { StsError } from "../errors.ts";

/** The request's media type: Content-Type without its parameters, lower case ("" when absent). */
export function mediaType(req: Request): string {
  return mediaTypeEssence(req.headers.get("content-type") ?? "");
}

/**
 * A media type without its parameters, lower case (RFC 9110 §8.3.1). Content-Type is a singleton
 * field; sent twice, the runtime joins the two with ", " (RFC 9110 §5.3), and reading the
 * first's essence would act on one while a gateway in front may act on the other
 * (`application/soap+xml; action="…", text/xml`). No single media type holds a comma outside a
 * quoted string (a token has none), so such a value is answered whole, lower case: it names no
 * media type any door accepts, and a refusal that shows it shows both.
 */
export function mediaTypeEssence(contentType: string): string {
  if (holdsSeveral(contentType)) return contentType.trim().toLowerCase();
  return contentType.split(";")[0]!.trim().toLowerCase();
}

/** Quoted-string or token values of one media-type parameter (RFC 9110 §5.6.6), in order. */
export function mediaTypeParams(contentType: string, name: string): string[] {
  const out: string[] = [];
  const re = /;[ \t]*([!#$%&'*+.^_`|~0-9A-Za-z-]+)[ \t]*=[ \t]*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g;
  for (let m = re.exec(contentType); m; m = re.exec(contentType)) {
    if (m[1]!.toLowerCase() !== name) continue;
    out.push(m[2] !== undefined ? m[2].replace(/\\(.)/g, "$1") : m[3]!.trim());
  }
  return out;
}

/** The labels the WHATWG Encoding Standard (§4.2) gives UTF-8, compared ASCII case-insensitively. */
const UTF8_LABELS = new Set(["utf-8", "utf8", "unicode-1-1-utf-8", "unicode11utf8", "unicode20utf8", "x-unicode20utf8"]);

/**
 * The charset a Content-Type labels its body with when that is not UTF-8 (`iso-8859-1`, two
 * labels as `utf-8, latin1`), or undefined when it names none or UTF-8 (any case, quoted or
 * not). Every body this STS reads — SOAP, OAuth and sign-in forms, administration JSON — is read
 * as UTF-8 and nothing else, so a body labelled otherwise is refused rather than read as other
 * text than its sender meant (an ISO-8859-1 `Ã©` read as `é`), which a gateway that honours the
 * label would see differently too. Forms carry no charset of their own (WHATWG URL §5.1 and HTML
 * decode them as UTF-8; RFC 6749 Appendix B); browsers, MSAL, Authlib and requests send none.
 */
export function nonUtf8Charset(contentType: string): string | undefined {
  const labels = mediaTypeParams(contentType, "charset");
  if (labels.length === 0) return undefined;
  if (labels.length === 1 && UTF8_LABELS.has(labels[0]!.trim().toLowerCase())) return undefined;
  return labels.join(", ").slice(0, 64);
}

/** Whether a field value has a comma outside its quoted strings (RFC 9110 §5.6.4): a list. */
function holdsSeveral(v: string): boolean {
  if (v.indexOf(",") < 0) return false;
  let quoted = false;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (quoted && c === 0x5c /* \ */) i++;
    else if (c === 0x22 /* " */) quoted = !quoted;
    else if (!quoted && c === 0x2c /* , */) return true;
  }
  return false;
}

/**
 * Reads a request body up to `max` bytes. Refuses early on a Content-Length over the limit and
 * stops reading a stream that grows past it, so an 8 MB body never sits in memory whole.
 */
export async function readBodyLimited(req: Request, max: number): Promise<Uint8Array> {
  // A body in a content coding we do not decode would be read as other bytes than a gateway
  // that decodes it by the header sees (RFC 9110 §8.4): refused, never read as it is.
  const coding = req.headers.get("content-encoding");
  if (coding !== null && !/^\s*(identity\s*)?$/i.test(coding)) {
    throw new StsError("bad_request", "The request body is sent with a Content-Encoding; this STS reads only bodies sent as they are (no gzip, deflate or br): send it uncompressed.");
  }
  // RFC 9112 §6.1: the runtime undoes `chunked` and nothing else, so a body sent in another
  // transfer coding (`gzip, chunked`) would be read as its coded bytes — other bytes than a
  // gateway that decodes it by the header sees, and a limit counted on them. Refused, as a
  // content coding is, naming the header at fault rather than the bytes it left undecoded.
  // `chunked` named twice is no framing either (§7: never applied more than once): the runtime
  // undoes it once, a gateway that decodes by the header twice.
  const transfer = req.headers.get("transfer-encoding");
  if (transfer !== null) {
    const codings = transfer.split(",").filter((c) => !/^\s*$/.test(c));
    if (codings.some((c) => !/^\s*chunked\s*$/i.test(c))) {
      throw new StsError("bad_request", "The request body is sent with a Transfer-Encoding other than chunked; this STS reads only bodies sent as they are (no gzip, deflate or compress): send it uncompressed.");
    }
    if (codings.length > 1) {
      throw new StsError("bad_request", "The request's Transfer-Encoding names chunked more than once (RFC 9112 §7: a body is chunked once): send it chunked once.");
    }
  }
  const len = req.headers.get("content-length");
  if (len !== null && Number(len) > max) throw tooLarge(max);
  // With a declared length within the limit, one read is cheapest; the runtime enforces
  // that the body matches its Content-Length (and reads a missing body as empty). `req.body`
  // is not touched on this path: the getter builds the stream's JavaScript object.
  if (len !== null && /^\d+$/.test(len)) {
    const buf = new Uint8Array(await unreadable(req.arrayBuffer()));
    if (buf.byteLength > max) throw tooLarge(max);
    return buf;
  }
  if (!req.body) return new Uint8Array(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await unreadable(reader.read());
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel();
      throw tooLarge(max);
    }
    chunks.push(value);
  }
  return chunks.length === 1 ? chunks[0]! : concatBytes(chunks);
}

/**
 * A body the client stopped sending (the connection closed mid-body, fewer bytes than its
 * Content-Length) is the client's failure, answered and audited as a bad request: left to the
 * edge's mapper it would be a 500 and an error-level log line with a stack for every aborted
 * upload, which anyone can send at will.
 */
async function unreadable<T>(read: Promise<T>): Promise<T> {
  try {
    return await read;
  } catch {
    throw new StsError("bad_request", "The request body could not be read in full: the connection ended before it did.");
  }
}

function tooLarge(max: number): StsError {
  return new StsError("payload_too_large", `The request body exceeds the limit of ${max} bytes.`);
}
