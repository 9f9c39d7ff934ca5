#!/usr/bin/python3
"""An independent XML Encryption reader and P_SHA1 for the interop suite.

Written against the specs with the Python standard library (ElementTree, hmac, hashlib) and
pyca/cryptography (Debian's python3-cryptography) for RSA-OAEP and AES, so that neither our
TypeScript nor xmlsec1 / Santuario decide what the bytes mean. Run with /usr/bin/python3.

  xmlenc_check.py data FILE KEY.pem OUT      decrypt the first xenc:EncryptedData to OUT (raw octets)
  xmlenc_check.py key FILE KEY.pem           decrypt the first xenc:EncryptedKey, print it as hex
  xmlenc_check.py psha1 REQ_B64 ISS_B64 BITS print P_SHA1(requestor entropy, issuer entropy) as hex

Prints "OK <details>" and exits 0, or "FAIL <reason>" and exits 1.
"""
import base64
import hashlib
import hmac
import sys
import xml.etree.ElementTree as ET

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

XENC = "http://www.w3.org/2001/04/xmlenc#"
XENC11 = "http://www.w3.org/2009/xmlenc11#"
DS = "http://www.w3.org/2000/09/xmldsig#"

# XML Encryption 1.1 §5.2 block encryption: (mode, key bytes)
DATA = {
    XENC + "aes128-cbc": ("cbc", 16),
    XENC + "aes256-cbc": ("cbc", 32),
    XENC11 + "aes128-gcm": ("gcm", 16),
    XENC11 + "aes256-gcm": ("gcm", 32),
}
DIGESTS = {
    DS + "sha1": hashes.SHA1,
    "http://www.w3.org/2001/04/xmlenc#sha256": hashes.SHA256,
    "http://www.w3.org/2001/04/xmldsig-more#sha384": hashes.SHA384,
    "http://www.w3.org/2001/04/xmlenc#sha512": hashes.SHA512,
}
MGFS = {
    XENC11 + "mgf1sha1": hashes.SHA1,
    XENC11 + "mgf1sha256": hashes.SHA256,
    XENC11 + "mgf1sha384": hashes.SHA384,
    XENC11 + "mgf1sha512": hashes.SHA512,
}


def q(ns, local):
    return "{%s}%s" % (ns, local)


def one(parent, ns, local):
    found = parent.findall(q(ns, local))
    if len(found) != 1:
        raise ValueError("expected one %s in %s, found %d" % (local, parent.tag, len(found)))
    return found[0]


def cipher_value(el):
    return base64.b64decode("".join(one(one(el, XENC, "CipherData"), XENC, "CipherValue").text.split()), validate=True)


def oaep_unwrap(encrypted_key, private_key):
    """§5.5.2: rsa-oaep-mgf1p is MGF1-SHA1 with DigestMethod (default SHA-1); xmlenc11#rsa-oaep
    takes its MGF from xenc11:MGF (default mgf1sha1). Hashes may differ here (unlike WebCrypto)."""
    method = one(encrypted_key, XENC, "EncryptionMethod")
    alg = method.get("Algorithm")
    dm = method.find(q(DS, "DigestMethod"))
    digest = DIGESTS[dm.get("Algorithm")] if dm is not None else hashes.SHA1
    if alg == XENC + "rsa-oaep-mgf1p":
        mgf = hashes.SHA1
    elif alg == XENC11 + "rsa-oaep":
        m = method.find(q(XENC11, "MGF"))
        mgf = MGFS[m.get("Algorithm")] if m is not None else hashes.SHA1
    else:
        raise ValueError("key transport %s is not RSA-OAEP" % alg)
    if method.find(q(XENC, "OAEPparams")) is not None:
        raise ValueError("OAEPparams not expected")
    key = private_key.decrypt(cipher_value(encrypted_key), padding.OAEP(mgf=padding.MGF1(mgf()), algorithm=digest(), label=None))
    return key, "%s digest=%s mgf=%s" % (alg.rsplit("#", 1)[1], digest.name, mgf.name)


def block_decrypt(alg, key, octets):
    mode, key_bytes = DATA[alg]
    if len(key) != key_bytes:
        raise ValueError("content key of %d bytes for %s" % (len(key), alg))
    if mode == "gcm":
        # §5.2.4: 96-bit IV, then the ciphertext, then the 128-bit tag
        return AESGCM(key).decrypt(octets[:12], octets[12:], None)
    iv, body = octets[:16], octets[16:]
    d = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    plain = d.update(body) + d.finalize()
    pad = plain[-1]
    # §5.2.2: the last octet is the padding length (1..16); the other padding octets are arbitrary
    if not 1 <= pad <= 16:
        raise ValueError("bad padding length %d" % pad)
    return plain[:-pad]


def load_key(path):
    with open(path, "rb") as f:
        return serialization.load_pem_private_key(f.read(), password=None)


def first(root, ns, local):
    el = root if root.tag == q(ns, local) else root.find(".//" + q(ns, local))
    if el is None:
        raise ValueError("no %s in the document" % local)
    return el


def cmd_data(path, key_path, out):
    ed = first(ET.parse(path).getroot(), XENC, "EncryptedData")
    if ed.get("Type") != XENC + "Element":
        raise ValueError("Type is %s" % ed.get("Type"))
    alg = one(ed, XENC, "EncryptionMethod").get("Algorithm")
    ek = one(one(ed, DS, "KeyInfo"), XENC, "EncryptedKey")
    content_key, kt = oaep_unwrap(ek, load_key(key_path))
    plain = block_decrypt(alg, content_key, cipher_value(ed))
    with open(out, "wb") as f:
        f.write(plain)
    return "data=%s key=%s bytes=%d" % (alg.rsplit("#", 1)[1], kt, len(plain))


def cmd_key(path, key_path):
    ek = first(ET.parse(path).getroot(), XENC, "EncryptedKey")
    key, kt = oaep_unwrap(ek, load_key(key_path))
    return "%s key=%s" % (key.hex(), kt)


def p_sha1(secret, seed, n):
    """RFC 2246 §5 P_hash with HMAC-SHA1: A(0) = seed, A(i) = HMAC(secret, A(i-1)),
    output HMAC(secret, A(1) + seed) + HMAC(secret, A(2) + seed) + ..."""
    out, a = b"", seed
    while len(out) < n:
        a = hmac.new(secret, a, hashlib.sha1).digest()
        out += hmac.new(secret, a + seed, hashlib.sha1).digest()
    return out[:n]


def cmd_psha1(req_b64, iss_b64, bits):
    # WS-Trust 1.3 §4.4.3: key = P_SHA1(requestor entropy, issuer entropy)
    return p_sha1(base64.b64decode(req_b64), base64.b64decode(iss_b64), int(bits) // 8).hex()


def main(argv):
    try:
        if argv[:1] == ["data"] and len(argv) == 4:
            print("OK " + cmd_data(*argv[1:]))
        elif argv[:1] == ["key"] and len(argv) == 3:
            print("OK " + cmd_key(*argv[1:]))
        elif argv[:1] == ["psha1"] and len(argv) == 4:
            print("OK " + cmd_psha1(*argv[1:]))
        else:
            print("FAIL usage: xmlenc_check.py data FILE KEY.pem OUT | key FILE KEY.pem | psha1 REQ_B64 ISS_B64 BITS")
            return 2
        return 0
    except Exception as e:  # every failure is a FAIL line, never a traceback
        print("FAIL %s: %s" % (type(e).__name__, e))
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
