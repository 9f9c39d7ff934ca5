/** Validation of pairwise subjects: the relying parties' `subjectType` / `sectorIdentifier` and the top-level secret (see `validate.ts`). */
import type { RelyingParty, SubjectType } from "./types.ts";
import { type Issues, type Obj, oneOf, secretRef } from "./check.ts";
import { decodePairwiseSecret } from "../identity/pairwise.ts";

const SUBJECT_TYPES: readonly SubjectType[] = ["public", "pairwise"];

/**
 * A relying party's subject type and sector (`p` is its path). The sector is an absolute URI
 * (checked by `uri`); a sector on a public relying party would be a mistake left unnoticed,
 * so it is refused.
 */
export function validateSubjectType(
  x: Issues,
  r: Obj,
  p: string,
  identifier: string | undefined,
  uri: (v: unknown, path: string) => string | undefined,
): { subjectType: SubjectType; sectorIdentifier: string } | undefined {
  const subjectType = oneOf(x, r, "subjectType", p, SUBJECT_TYPES, "public");
  const sector = r.sectorIdentifier === undefined ? identifier : uri(r.sectorIdentifier, `${p}.sectorIdentifier`);
  if (r.sectorIdentifier !== undefined && subjectType === "public") {
    x.add(`${p}.sectorIdentifier`, 'applies only to subjectType "pairwise"');
  }
  if (subjectType === undefined || sector === undefined) return undefined;
  return { subjectType, sectorIdentifier: sector };
}

/**
 * `pairwiseSubjectSecret`: required once any relying party is pairwise, and then at least 32
 * random bytes. Unused when none is (accepted, so a secret can be set before the first
 * relying party switches).
 */
export function validatePairwiseSecret(
  x: Issues,
  o: Obj,
  root: string,
  secrets: Record<string, unknown>,
  parties: readonly RelyingParty[],
): Uint8Array<ArrayBuffer> | undefined {
  const first = parties.findIndex((rp) => rp.subjectType === "pairwise");
  const value = secretRef(x, o, "pairwiseSubjectSecret", root, secrets);
  if (value === undefined) {
    if (first >= 0 && o.pairwiseSubjectSecret === undefined) {
      x.add(`${root}.pairwiseSubjectSecret`, `is required: relying party "${parties[first]!.identifier}" has subjectType "pairwise"`);
    }
    return undefined;
  }
  const bytes = decodePairwiseSecret(value);
  if (typeof bytes === "string") {
    x.add(`${root}.pairwiseSubjectSecret`, `secret binding "${String(o.pairwiseSubjectSecret)}" ${bytes}`);
    return undefined;
  }
  return bytes;
}
