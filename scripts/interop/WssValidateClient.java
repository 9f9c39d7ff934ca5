// A service that validates its callers' credentials at the STS, built on Apache WSS4J 1.6
// (Debian's libwss4j-java), not on our code: as Apache CXF's STSTokenValidator does, it sends a
// WS-Trust Validate (TokenType RSTR/Status) whose ValidateTarget is the credential a caller
// presented — a UsernameToken made by WSS4J's own UsernameToken class (PasswordText, Nonce,
// Created), or an X.509 BinarySecurityToken made by its X509Security class — and authenticates
// itself with a UsernameToken that WSS4J puts into the Security header. Compiled with
// WssCertificateClient (whose envelope and HTTP helpers it uses):
//
//   java -cp OUT:JARS WssValidateClient URL SOAP(1.1|1.2) TRUST(13|2005) REQUESTOR REQUESTOR_PASSWORD
//        VARIANT ARGS... [REQUEST_OUT]
//
// VARIANT: ut USER PASSWORD | ut-replay USER PASSWORD (the same message posted twice; the second
// answer is printed) | x509 CERT.pem.
// Prints "HTTP <status>" on the first line, then the response body. Exit 0 when a response came
// back (whatever its status), 1 on a local error.
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.http.HttpResponse;
import javax.xml.parsers.DocumentBuilderFactory;
import org.apache.ws.security.WSConstants;
import org.apache.ws.security.WSSConfig;
import org.apache.ws.security.message.WSSecHeader;
import org.apache.ws.security.message.WSSecUsernameToken;
import org.apache.ws.security.message.token.UsernameToken;
import org.apache.ws.security.message.token.X509Security;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

public final class WssValidateClient {
  public static void main(String[] args) throws Exception {
    if (args.length < 7) {
      System.err.println("usage: WssValidateClient URL SOAP TRUST REQUESTOR REQUESTOR_PASSWORD (ut|ut-replay USER PASSWORD | x509 CERT.pem) [REQUEST_OUT]");
      System.exit(2);
    }
    String url = args[0], soap = args[1], trust = args[2], variant = args[5];
    WSSConfig.init();
    Document doc = envelope(url, soap, trust);

    // The caller's credential, as the service received it, made by WSS4J.
    Element credential;
    int next;
    if (variant.equals("ut") || variant.equals("ut-replay")) {
      UsernameToken caller = new UsernameToken(true, doc, WSConstants.PASSWORD_TEXT);
      caller.setName(args[6]);
      caller.setPassword(args[7]);
      caller.addNonce(doc);
      caller.addCreated(true, doc);
      caller.addWSUNamespace();
      caller.addWSSENamespace();
      credential = caller.getElement();
      next = 8;
    } else if (variant.equals("x509")) {
      X509Security caller = new X509Security(doc);
      caller.setX509Certificate(WssCertificateClient.readCert(Path.of(args[6])));
      caller.addWSSENamespace();
      credential = caller.getElement();
      next = 7;
    } else {
      throw new IllegalArgumentException("unknown variant " + variant);
    }
    Element target = (Element) doc.getElementsByTagNameNS(WssCertificateClient.trustNs(trust), "ValidateTarget").item(0);
    target.appendChild(credential);

    // The service's own credentials in the Security header, also by WSS4J.
    WSSecHeader secHeader = new WSSecHeader();
    secHeader.setMustUnderstand(true);
    secHeader.insertSecurityHeader(doc);
    WSSecUsernameToken requestor = new WSSecUsernameToken();
    requestor.setPasswordType(WSConstants.PASSWORD_TEXT);
    requestor.setUserInfo(args[3], args[4]);
    requestor.build(doc, secHeader);
    doc.normalizeDocument();

    String message = WssCertificateClient.serialize(doc);
    if (args.length > next) Files.writeString(Path.of(args[next]), message);
    String action = WssCertificateClient.trustNs(trust) + "/RST/Validate";
    HttpResponse<String> res = WssCertificateClient.post(url, soap, action, message);
    if (variant.equals("ut-replay")) res = WssCertificateClient.post(url, soap, action, message);
    System.out.println("HTTP " + res.statusCode());
    System.out.println(res.body());
  }

  /** A Validate request with an empty ValidateTarget, in a SOAP envelope with WS-Addressing. */
  static Document envelope(String url, String soap, String trust) throws Exception {
    String ns = WssCertificateClient.trustNs(trust);
    String xml = "<s:Envelope xmlns:s=\"" + WssCertificateClient.soapNs(soap) + "\" xmlns:a=\"" + WssCertificateClient.WSA + "\">"
        + "<s:Header>"
        + "<a:Action s:mustUnderstand=\"1\">" + ns + "/RST/Validate</a:Action>"
        + "<a:MessageID>urn:uuid:" + java.util.UUID.randomUUID() + "</a:MessageID>"
        + "<a:To s:mustUnderstand=\"1\">" + url + "</a:To>"
        + "</s:Header>"
        + "<s:Body><t:RequestSecurityToken xmlns:t=\"" + ns + "\">"
        + "<t:RequestType>" + ns + "/Validate</t:RequestType>"
        + "<t:TokenType>" + ns + "/RSTR/Status</t:TokenType>"
        + "<t:ValidateTarget/>"
        + "</t:RequestSecurityToken></s:Body></s:Envelope>";
    DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
    dbf.setNamespaceAware(true);
    dbf.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    return dbf.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
  }
}
