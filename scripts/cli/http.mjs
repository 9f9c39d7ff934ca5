// How the CLI asks an STS: every request of every command goes through `send`, so each one is
// held to the same rules.

/**
 * @typedef {{ method: string, url: string, status: number, headers: Headers, text: string }} Answer
 *   what came back: the request's method and URL, the status, the headers and the body as text
 */

/**
 * Sends one request and reads its answer. A redirect is not followed: the request may carry a
 * password, a client secret or a token, and following the Location would send them wherever it
 * points, past the check that sends them only over https or to this machine
 * (url.mjs checkCredentialTarget), which judged the address given. A fetch that gets no answer
 * carries the URL it was sent to (`e.url`), for the message (errors.mjs explain).
 * @param {string} url
 * @param {{ method?: string, headers?: Record<string, string>, body?: string }} [init]
 * @returns {Promise<Answer>}
 */
export async function send(url, { method = "GET", headers, body } = {}) {
  let res;
  try {
    res = await fetch(url, { method, headers, body, redirect: "manual" });
  } catch (e) {
    if (e && typeof e === "object") e.url = url;
    throw e;
  }
  const location = res.headers.get("location");
  if (res.status >= 300 && res.status < 400 && location !== null) {
    await res.body?.cancel();
    throw new Error(
      `${method} ${url} → HTTP ${res.status}, a redirect to ${resolved(location, url)}: not followed (a redirect could take the request's credentials anywhere); if that is the STS's address, give it as --url`,
    );
  }
  return { method, url, status: res.status, headers: res.headers, text: await res.text() };
}

/** The Location as an absolute URL when it resolves to one, else as it was sent. */
function resolved(location, base) {
  try {
    return new URL(location, base).href;
  } catch {
    return JSON.stringify(location);
  }
}
