// Text that came over the network, as a terminal shows it: what the STS (or whatever answered
// in its place) sends is data, and must not move the cursor, recolour or reorder what follows.

// What a terminal would act on rather than show: control characters (C0, DEL, C1: escape
// sequences, line breaks), unpaired surrogates and the bidirectional overrides that reorder
// what follows. A claim value may hold some (tab, line breaks), and what the STS answers is data.
const HIDDEN = /[\p{Cc}\p{Cs}\u202a-\u202e\u2066-\u2069]/gu;
// Of those, what JSON.stringify leaves as it is (it escapes C0 and unpaired surrogates itself).
const HIDDEN_IN_JSON = /[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
const SHORT_ESCAPES = { "\t": "\\t", "\n": "\\n", "\r": "\\r" };
const escaped = (c) => SHORT_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;

/** `v` as text a terminal shows as it is: every character it would act on as an escape (`\u001b`). */
export function visible(v) {
  return String(v).replace(HIDDEN, escaped);
}

/** `v` as JSON a terminal shows as it is, with JSON's own escapes: it parses to the same value. */
export function visibleJson(v) {
  return JSON.stringify(v, null, 2).replace(HIDDEN_IN_JSON, escaped);
}

/** At most `max` characters of an answer's text, shown as `visible` does, for a message. */
export function excerpt(text, max = 200) {
  const t = text.trim();
  if (t === "") return "(empty)";
  return visible(t.length > max ? `${t.slice(0, max)}…` : t);
}
