// An issuedtokenmixed requestor built on Apache WSS4J 1.6 (Debian's libwss4j-java), not on our
// code: puts a holder-of-key SAML assertion (made and signed elsewhere, read from a file) into
// the Security header of a WS-Trust Issue request for urn:example:rp, and has WSS4J sign Body,
// Timestamp, wsa:To and wsa:Action with the key the assertion confirms. The signature's KeyInfo
// is a SecurityTokenReference whose KeyIdentifier names the assertion by its ID (WSS SAML Token
// Profile 1.1 §3.4.2), as a client endorsing a message with an issued token writes it:
//
//   rsa   the assertion confirms a public key: RSA-SHA256 with the matching private key
//   hmac  the assertion seals a symmetric proof key for the STS: HMAC-SHA256 with that key
//
// with SHA-256 digests; or, for the basic256 variant, WS-SecurityPolicy's Basic256 suite as old
// WCF clients sign: rsa-sha1 or HMAC-SHA1 over SHA-1 digests.
//
// The envelope and the HTTP exchange are WssCertificateClient's (compiled with it):
//
//   java -cp OUT:JARS WssIssuedTokenClient URL SOAP(1.1|1.2) TRUST(13|2005) rsa|hmac ASSERTION.xml
//        (KEY.pem CERT.pem | SECRET_HEX) VARIANT [REQUEST_OUT]
//
// VARIANT: good | basic256 (good, signed with the Basic256 suite) | replay (the good message
// posted twice; the second answer is printed).
// Prints "HTTP <status>" on the first line, then the response body. Exit 0 when a response came
// back (whatever its status), 1 on a local error.
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.apache.ws.security.WSConstants;
import org.apache.ws.security.WSEncryptionPart;
import org.apache.ws.security.WSSConfig;
import org.apache.ws.security.components.crypto.Merlin;
import org.apache.ws.security.message.WSSecHeader;
import org.apache.ws.security.message.WSSecSignature;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

public final class WssIssuedTokenClient {
  static final String SAML2_NS = "urn:oasis:names:tc:SAML:2.0:assertion";
  static final String SAML1_KI_VALUE_TYPE = "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.0#SAMLAssertionID";

  public static void main(String[] args) throws Exception {
    if (args.length < 7) {
      System.err.println("usage: WssIssuedTokenClient URL SOAP TRUST rsa|hmac ASSERTION.xml (KEY.pem CERT.pem | SECRET_HEX) VARIANT [REQUEST_OUT]");
      System.exit(2);
    }
    String url = args[0], soap = args[1], trust = args[2], mode = args[3];
    Element assertion = readAssertion(Path.of(args[4]));
    int next = 5;
    PrivateKey key = null;
    X509Certificate cert = null;
    byte[] secret = null;
    if (mode.equals("rsa")) {
      key = WssCertificateClient.readKey(Path.of(args[next++]));
      cert = WssCertificateClient.readCert(Path.of(args[next++]));
    } else if (mode.equals("hmac")) {
      secret = HexFormat.of().parseHex(args[next++]);
    } else {
      throw new IllegalArgumentException("unknown mode " + mode);
    }
    String variant = args[next++];
    if (!List.of("good", "basic256", "replay").contains(variant)) throw new IllegalArgumentException("unknown variant " + variant);

    Document doc = WssCertificateClient.envelope(url, soap, trust);
    sign(doc, soap, assertion, key, cert, secret, variant.equals("basic256"));
    String message = WssCertificateClient.serialize(doc);
    if (args.length > next) Files.writeString(Path.of(args[next]), message);

    String action = WssCertificateClient.trustNs(trust) + "/RST/Issue";
    var res = WssCertificateClient.post(url, soap, action, message);
    if (variant.equals("replay")) res = WssCertificateClient.post(url, soap, action, message);
    System.out.println("HTTP " + res.statusCode());
    System.out.println(res.body());
  }

  static Element readAssertion(Path file) throws Exception {
    DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
    dbf.setNamespaceAware(true);
    dbf.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    return dbf.newDocumentBuilder().parse(new ByteArrayInputStream(Files.readAllBytes(file))).getDocumentElement();
  }

  static void sign(Document doc, String soap, Element assertion, PrivateKey key, X509Certificate cert, byte[] secret, boolean basic256) throws Exception {
    WSSConfig.init();
    WSSecHeader secHeader = WssCertificateClient.securityHeader(doc, false);
    // The token goes into the header as it was signed by its issuer: imported, never rewritten.
    secHeader.getSecurityHeader().appendChild(doc.importNode(assertion, true));
    // As in WssCertificateClient: the DOM gets the namespace declarations the wire form carries.
    doc.normalizeDocument();

    boolean saml2 = SAML2_NS.equals(assertion.getNamespaceURI());
    String id = saml2 ? assertion.getAttributeNS(null, "ID") : assertion.getAttributeNS(null, "AssertionID");

    WSSecSignature signature = new WSSecSignature();
    signature.setKeyIdentifierType(WSConstants.CUSTOM_KEY_IDENTIFIER);
    signature.setCustomTokenValueType(saml2 ? WSConstants.WSS_SAML2_KI_VALUE_TYPE : SAML1_KI_VALUE_TYPE);
    signature.setCustomTokenId(id);
    signature.setDigestAlgo(basic256 ? WssCertificateClient.SHA1 : WSConstants.SHA256);
    signature.setSigCanonicalization(WSConstants.C14N_EXCL_OMIT_COMMENTS);
    Merlin crypto = new Merlin();
    if (secret != null) {
      signature.setSecretKey(secret);
      signature.setSignatureAlgorithm(basic256 ? WSConstants.HMAC_SHA1 : WSConstants.HMAC_SHA256);
    } else {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry("holder", key, "changeit".toCharArray(), new Certificate[] {cert});
      crypto.setKeyStore(ks);
      signature.setUserInfo("holder", "changeit");
      signature.setSignatureAlgorithm(basic256 ? WssCertificateClient.RSA_SHA1 : WssCertificateClient.RSA_SHA256);
    }
    List<WSEncryptionPart> parts = new ArrayList<>();
    parts.add(new WSEncryptionPart(WSConstants.ELEM_BODY, WssCertificateClient.soapNs(soap), ""));
    parts.add(new WSEncryptionPart(WSConstants.TIMESTAMP_TOKEN_LN, WssCertificateClient.WSU, ""));
    parts.add(new WSEncryptionPart("To", WssCertificateClient.WSA, ""));
    parts.add(new WSEncryptionPart("Action", WssCertificateClient.WSA, ""));
    signature.setParts(parts);
    signature.build(doc, crypto, secHeader);
  }
}
