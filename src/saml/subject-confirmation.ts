import type { Element } from "@xmldom/xmldom";
import { childElements, textContent } from "../xml/dom.ts";
import { SAML1_NS, SAML2_NS } from "./ns.ts";

/**
 * The subject confirmation methods an assertion states (SAML 2.0 core §2.4.1.1
 * `SubjectConfirmation/@Method`; SAML 1.1 core §2.4.2.3 `ConfirmationMethod`, in any statement's
 * Subject). Read only from a signature-verified element.
 */
export function confirmationMethods(a: Element): string[] {
  const out = new Set<string>();
  if (a.namespaceURI === SAML2_NS) {
    for (const s of childElements(a, SAML2_NS, "Subject")) {
      for (const c of childElements(s, SAML2_NS, "SubjectConfirmation")) out.add((c.getAttribute("Method") ?? "").trim());
    }
  } else if (a.namespaceURI === SAML1_NS) {
    for (const st of childElements(a)) {
      for (const s of childElements(st, SAML1_NS, "Subject")) {
        for (const c of childElements(s, SAML1_NS, "SubjectConfirmation")) {
          for (const m of childElements(c, SAML1_NS, "ConfirmationMethod")) out.add(textContent(m).trim());
        }
      }
    }
  }
  return [...out];
}
