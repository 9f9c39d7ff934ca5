/** A delegation chain link (RFC 8693 §4.1 `act`): the actor acting for the subject. */
export interface Actor {
  sub: string;
  iss?: string;
  /** An earlier actor this one in turn acted for. */
  act?: Actor;
}
