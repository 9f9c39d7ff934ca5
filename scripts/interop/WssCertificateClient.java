// A certificatemixed requestor built on Apache WSS4J 1.6 (Debian's libwss4j-java), not on our
// code: builds a WS-Trust Issue request for urn:example:rp in a SOAP 1.1 or 1.2 envelope with
// wsa:Action and wsa:To, has WSS4J add the Security header (wsu:Timestamp, X.509
// BinarySecurityToken referenced directly, ds:Signature with RSA-SHA256, SHA-256 digests and
// exclusive C14N over Body, Timestamp, wsa:To and wsa:Action; or, for the basic256 variant,
// WS-SecurityPolicy's Basic256 suite as old WCF clients sign: rsa-sha1 and SHA-1 digests),
// optionally alters the signed message, posts it and prints the answer. Compiled and run by scripts/interop/wss4j.mjs:
//
//   javac -cp /usr/share/java/wss4j.jar:/usr/share/java/xmlsec.jar -d OUT WssCertificateClient.java
//   java -cp OUT:/usr/share/java/wss4j.jar:/usr/share/java/xmlsec.jar:... \
//        WssCertificateClient URL SOAP(1.1|1.2) TRUST(13|2005) VARIANT KEY.pem CERT.pem [REQUEST_OUT]
//
// VARIANT: good | basic256 (good, signed with rsa-sha1 over SHA-1 digests) |
// timestamp-only (the signature covers the Timestamp and wsa:To alone, as WCF's
// TransportWithMessageCredential endorsing signature does) |
// body-changed (an AppliesTo changed after signing) | expired (Created and
// Expires in the past, then signed) | wrapped (the signed Body moved into a header wrapper and a
// new, unsigned Body put in its place) | replay (the good message posted twice; the second
// answer is printed).
// Prints "HTTP <status>" on the first line, then the response body. Exit 0 when a response came
// back (whatever its status), 1 on a local error.
import java.io.ByteArrayInputStream;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.apache.ws.security.WSConstants;
import org.apache.ws.security.WSEncryptionPart;
import org.apache.ws.security.WSSConfig;
import org.apache.ws.security.components.crypto.Merlin;
import org.apache.ws.security.message.WSSecHeader;
import org.apache.ws.security.message.WSSecSignature;
import org.apache.ws.security.message.WSSecTimestamp;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

public final class WssCertificateClient {
  static final String WSA = "http://www.w3.org/2005/08/addressing";
  static final String WSU = WSConstants.WSU_NS;
  static final String WSP = "http://schemas.xmlsoap.org/ws/2004/09/policy";
  static final String RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
  static final String RSA_SHA1 = "http://www.w3.org/2000/09/xmldsig#rsa-sha1";
  static final String SHA1 = "http://www.w3.org/2000/09/xmldsig#sha1";

  public static void main(String[] args) throws Exception {
    if (args.length < 6) {
      System.err.println("usage: WssCertificateClient URL SOAP TRUST VARIANT KEY.pem CERT.pem [REQUEST_OUT]");
      System.exit(2);
    }
    String url = args[0], soap = args[1], trust = args[2], variant = args[3];
    PrivateKey key = readKey(Path.of(args[4]));
    X509Certificate cert = readCert(Path.of(args[5]));

    Document doc = envelope(url, soap, trust);
    sign(doc, soap, key, cert, variant.equals("expired"), variant.equals("basic256"), variant.equals("timestamp-only"));
    if (variant.equals("body-changed")) alterBody(doc);
    else if (variant.equals("wrapped")) wrap(doc, soap, trust);
    else if (!List.of("good", "basic256", "timestamp-only", "replay", "expired").contains(variant)) {
      throw new IllegalArgumentException("unknown variant " + variant);
    }
    String message = serialize(doc);
    if (args.length > 6) Files.writeString(Path.of(args[6]), message);

    HttpResponse<String> res = post(url, soap, trustNs(trust) + "/RST/Issue", message);
    if (variant.equals("replay")) res = post(url, soap, trustNs(trust) + "/RST/Issue", message);
    System.out.println("HTTP " + res.statusCode());
    System.out.println(res.body());
  }

  static String soapNs(String soap) {
    return soap.equals("1.1") ? WSConstants.URI_SOAP11_ENV : WSConstants.URI_SOAP12_ENV;
  }

  static String trustNs(String trust) {
    return trust.equals("13") ? "http://docs.oasis-open.org/ws-sx/ws-trust/200512" : "http://schemas.xmlsoap.org/ws/2005/02/trust";
  }

  static String rst(String trust, String appliesTo) {
    String ns = trustNs(trust);
    String keyType = trust.equals("13") ? ns + "/Bearer" : "http://schemas.xmlsoap.org/ws/2005/05/identity/NoProofKey";
    return "<t:RequestSecurityToken xmlns:t=\"" + ns + "\">"
        + "<wsp:AppliesTo xmlns:wsp=\"" + WSP + "\"><a:EndpointReference xmlns:a=\"" + WSA + "\"><a:Address>" + appliesTo
        + "</a:Address></a:EndpointReference></wsp:AppliesTo>"
        + "<t:KeyType>" + keyType + "</t:KeyType>"
        + "<t:RequestType>" + ns + "/Issue</t:RequestType>"
        + "<t:TokenType>http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV2.0</t:TokenType>"
        + "</t:RequestSecurityToken>";
  }

  /** The unsigned request: WS-Addressing headers (with the wsu:Ids a signer refers to) and the RST. */
  static Document envelope(String url, String soap, String trust) throws Exception {
    String xml = "<s:Envelope xmlns:s=\"" + soapNs(soap) + "\" xmlns:a=\"" + WSA + "\" xmlns:u=\"" + WSU + "\">"
        + "<s:Header>"
        + "<a:Action s:mustUnderstand=\"1\" u:Id=\"_action\">" + trustNs(trust) + "/RST/Issue</a:Action>"
        + "<a:MessageID>urn:uuid:" + java.util.UUID.randomUUID() + "</a:MessageID>"
        + "<a:To s:mustUnderstand=\"1\" u:Id=\"_to\">" + url + "</a:To>"
        + "</s:Header>"
        + "<s:Body>" + rst(trust, "urn:example:rp") + "</s:Body></s:Envelope>";
    DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
    dbf.setNamespaceAware(true);
    dbf.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    return dbf.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
  }

  /** WSS4J does the WS-Security part: Security header, Timestamp, BST and the signature. */
  static void sign(Document doc, String soap, PrivateKey key, X509Certificate cert, boolean expired, boolean basic256, boolean timestampOnly) throws Exception {
    WSSConfig.init();
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry("requestor", key, "changeit".toCharArray(), new Certificate[] {cert});
    Merlin crypto = new Merlin();
    crypto.setKeyStore(ks);
    WSSecHeader secHeader = securityHeader(doc, expired);

    // WSS4J creates the Security header and Timestamp with createElementNS and leaves the
    // xmlns:wsse declaration to the serializer, so the DOM it canonicalizes lacks the namespace
    // its InclusiveNamespaces PrefixList names; a SOAP stack (SAAJ, Axiom) declares it on the
    // header it builds. DOM namespace fixup gives the DOM what the wire form will carry.
    doc.normalizeDocument();

    WSSecSignature signature = new WSSecSignature();
    signature.setUserInfo("requestor", "changeit");
    signature.setKeyIdentifierType(WSConstants.BST_DIRECT_REFERENCE);
    signature.setSignatureAlgorithm(basic256 ? RSA_SHA1 : RSA_SHA256);
    signature.setDigestAlgo(basic256 ? SHA1 : WSConstants.SHA256);
    signature.setSigCanonicalization(WSConstants.C14N_EXCL_OMIT_COMMENTS);
    List<WSEncryptionPart> parts = new ArrayList<>();
    if (!timestampOnly) parts.add(new WSEncryptionPart(WSConstants.ELEM_BODY, soapNs(soap), ""));
    parts.add(new WSEncryptionPart(WSConstants.TIMESTAMP_TOKEN_LN, WSU, ""));
    parts.add(new WSEncryptionPart("To", WSA, ""));
    if (!timestampOnly) parts.add(new WSEncryptionPart("Action", WSA, ""));
    signature.setParts(parts);
    signature.build(doc, crypto, secHeader);
  }

  /** The Security header (mustUnderstand) with a five-minute wsu:Timestamp, made by WSS4J. */
  static WSSecHeader securityHeader(Document doc, boolean expired) throws Exception {
    WSSecHeader secHeader = new WSSecHeader();
    secHeader.setMustUnderstand(true);
    secHeader.insertSecurityHeader(doc);
    WSSecTimestamp timestamp = new WSSecTimestamp();
    timestamp.setTimeToLive(300);
    timestamp.build(doc, secHeader);
    if (expired) {
      // An old message, signed as it was: Created 20 minutes ago, expired 15 minutes ago.
      Element ts = timestamp.getElement();
      Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
      ts.getElementsByTagNameNS(WSU, "Created").item(0).setTextContent(now.minusSeconds(1200).toString());
      ts.getElementsByTagNameNS(WSU, "Expires").item(0).setTextContent(now.minusSeconds(900).toString());
    }
    return secHeader;
  }

  static Element body(Document doc) {
    Element env = doc.getDocumentElement();
    for (Node n = env.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element && "Body".equals(n.getLocalName())) return (Element) n;
    }
    throw new IllegalStateException("no Body");
  }

  static Element header(Document doc) {
    Element env = doc.getDocumentElement();
    for (Node n = env.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element && "Header".equals(n.getLocalName())) return (Element) n;
    }
    throw new IllegalStateException("no Header");
  }

  /** After signing: the RST asks for another relying party. */
  static void alterBody(Document doc) {
    Node address = body(doc).getElementsByTagNameNS(WSA, "Address").item(0);
    address.setTextContent("urn:example:rp-changed");
  }

  /**
   * The classic wrapping attack: the signed Body (still carrying its wsu:Id, so its digest still
   * matches) goes into a wrapper element in the Header, and a new Body without an Id takes its
   * place in the Envelope.
   */
  static void wrap(Document doc, String soap, String trust) throws Exception {
    Element signed = body(doc);
    Element env = doc.getDocumentElement();
    Element wrapper = doc.createElementNS("urn:example:wrapper", "w:Wrapper");
    header(doc).appendChild(wrapper);
    env.removeChild(signed);
    wrapper.appendChild(signed);
    Element forged = doc.createElementNS(soapNs(soap), "s:Body");
    DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
    dbf.setNamespaceAware(true);
    Document rst = dbf.newDocumentBuilder().parse(new ByteArrayInputStream(rst(trust, "urn:example:rp").getBytes(StandardCharsets.UTF_8)));
    forged.appendChild(doc.importNode(rst.getDocumentElement(), true));
    env.appendChild(forged);
  }

  static String serialize(Document doc) throws Exception {
    var t = TransformerFactory.newInstance().newTransformer();
    t.setOutputProperty(OutputKeys.OMIT_XML_DECLARATION, "yes");
    StringWriter w = new StringWriter();
    t.transform(new DOMSource(doc), new StreamResult(w));
    return w.toString();
  }

  static HttpResponse<String> post(String url, String soap, String action, String message) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofString(message, StandardCharsets.UTF_8));
    if (soap.equals("1.1")) b.header("Content-Type", "text/xml; charset=utf-8").header("SOAPAction", "\"" + action + "\"");
    else b.header("Content-Type", "application/soap+xml; charset=utf-8; action=\"" + action + "\"");
    return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  static byte[] pem(Path file) throws Exception {
    String text = Files.readString(file).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s+", "");
    return Base64.getDecoder().decode(text);
  }

  /** A PKCS#8 PEM private key (RSA or EC), as the development credentials are published. */
  static PrivateKey readKey(Path file) throws Exception {
    byte[] der = pem(file);
    try {
      return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
    } catch (java.security.spec.InvalidKeySpecException e) {
      return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
    }
  }

  static X509Certificate readCert(Path file) throws Exception {
    return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(Files.newInputStream(file));
  }
}
