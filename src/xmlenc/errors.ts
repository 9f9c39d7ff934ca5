/**
 * Why XML Encryption refused. Stable codes for `switch`; messages name the reason, never text
 * from the document (not even an algorithm URI), so they are safe to put in a fault.
 */
export type XmlEncErrorCode =
  /** The EncryptedData / EncryptedKey is not in the form we read (schema, restricted). */
  | "MALFORMED"
  /** An algorithm outside the caller's allow-list, or one we do not implement. */
  | "UNSUPPORTED_ALGORITHM"
  /** The EncryptedKey names a certificate other than the caller's key's. */
  | "KEY_MISMATCH"
  /** The cipher data is larger than the caller allows. */
  | "TOO_LARGE"
  /**
   * Any cryptographic failure: a key that does not unwrap, a wrong content-key length, a GCM tag
   * that does not verify, bad CBC padding. One code and one message for all of them, so that
   * the answer is no oracle for which step failed.
   */
  | "DECRYPTION_FAILED"
  /** Encryption was asked for something it cannot do (not an element, an empty key). */
  | "INVALID_INPUT";

export class XmlEncError extends Error {
  readonly code: XmlEncErrorCode;

  constructor(code: XmlEncErrorCode, message: string) {
    super(message);
    this.name = "XmlEncError";
    this.code = code;
  }
}

/** The one error for every cryptographic failure of a decryption. */
export function decryptionFailed(): XmlEncError {
  return new XmlEncError("DECRYPTION_FAILED", "the encrypted data could not be decrypted");
}
