// Verifies the enveloped signature on the root element of an XML file with Apache Santuario
// (org.apache.xml.security, Debian's libxml-security-java), against a PINNED certificate — never a
// key found in the document. Compiled at run time by scripts/interop/run.sh (no build tool):
//
//   javac -cp /usr/share/java/xmlsec.jar -d OUT SantuarioVerify.java
//   java -cp OUT:/usr/share/java/xmlsec.jar:/usr/share/java/commons-codec.jar:/usr/share/java/slf4j-api.jar:/usr/share/java/slf4j-nop.jar \
//        SantuarioVerify FILE CERT.pem ID_ATTR ROOT_NS ROOT_LOCAL
//
// Prints "OK <details>" and exits 0, or "FAIL <reason>" and exits 1.
// Checks, beyond the signature value: the root is {ROOT_NS}ROOT_LOCAL; exactly one ds:Signature
// in the document and it is a child of the root; SignedInfo has exactly one Reference, whose URI
// is "#" + the root's ID (so the signature covers the assertion itself, not some other node —
// the XML-signature-wrapping defence SAML 2.0 Core §5.4.2 asks for); transforms are
// enveloped-signature + (exclusive) c14n only; every reference digest verifies.
import java.io.File;
import java.io.FileInputStream;
import java.io.InputStream;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import org.apache.xml.security.Init;
import org.apache.xml.security.signature.Reference;
import org.apache.xml.security.signature.SignedInfo;
import org.apache.xml.security.signature.XMLSignature;
import org.apache.xml.security.transforms.Transforms;
import org.apache.xml.security.utils.Constants;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

public final class SantuarioVerify {
  public static void main(String[] args) {
    if (args.length != 5) {
      System.out.println("FAIL usage: SantuarioVerify FILE CERT.pem ID_ATTR ROOT_NS ROOT_LOCAL");
      System.exit(2);
    }
    try {
      String detail = verify(new File(args[0]), new File(args[1]), args[2], args[3], args[4]);
      System.out.println("OK " + detail);
      System.exit(0);
    } catch (Exception e) {
      System.out.println("FAIL " + e.getClass().getSimpleName() + ": " + e.getMessage());
      System.exit(1);
    }
  }

  static String verify(File xml, File pem, String idAttr, String rootNs, String rootLocal) throws Exception {
    Init.init();
    DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
    dbf.setNamespaceAware(true);
    // Secure parsing: no DOCTYPE at all (so no entities, no external DTD), secure processing on.
    dbf.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    dbf.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
    dbf.setXIncludeAware(false);
    dbf.setExpandEntityReferences(false);
    Document doc = dbf.newDocumentBuilder().parse(xml);

    Element root = doc.getDocumentElement();
    if (!rootNs.equals(root.getNamespaceURI()) || !rootLocal.equals(root.getLocalName())) {
      throw new IllegalStateException("root is {" + root.getNamespaceURI() + "}" + root.getLocalName());
    }
    String id = root.getAttributeNS(null, idAttr);
    if (id.isEmpty()) throw new IllegalStateException("root has no " + idAttr + " attribute");
    root.setIdAttributeNS(null, idAttr, true);

    NodeList sigs = doc.getElementsByTagNameNS(Constants.SignatureSpecNS, "Signature");
    if (sigs.getLength() != 1) throw new IllegalStateException(sigs.getLength() + " ds:Signature elements, expected 1");
    Element sigEl = (Element) sigs.item(0);
    if (sigEl.getParentNode() != root) throw new IllegalStateException("ds:Signature is not a child of the root");

    // secureValidation=true: Santuario's own limits (no MD5, <= 30 references/transforms, no
    // XSLT, no RetrievalMethod loops, ...).
    XMLSignature sig = new XMLSignature(sigEl, "", true);
    SignedInfo si = sig.getSignedInfo();
    if (si.getLength() != 1) throw new IllegalStateException(si.getLength() + " References, expected 1");
    Reference ref = si.item(0);
    if (!("#" + id).equals(ref.getURI())) {
      throw new IllegalStateException("Reference URI " + ref.getURI() + " does not point at the root (#" + id + ")");
    }
    Transforms tr = ref.getTransforms();
    StringBuilder trNames = new StringBuilder();
    for (int i = 0; tr != null && i < tr.getLength(); i++) {
      String alg = tr.item(i).getURI();
      boolean allowed = alg.equals(Transforms.TRANSFORM_ENVELOPED_SIGNATURE)
          || alg.equals(Transforms.TRANSFORM_C14N_EXCL_OMIT_COMMENTS)
          || alg.equals(Transforms.TRANSFORM_C14N_OMIT_COMMENTS);
      if (!allowed) throw new IllegalStateException("unexpected transform " + alg);
      trNames.append(i == 0 ? "" : ",").append(shortName(alg));
    }

    X509Certificate cert;
    try (InputStream in = new FileInputStream(pem)) {
      cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
    if (!sig.checkSignatureValue(cert)) {
      StringBuilder why = new StringBuilder("signature value does not verify");
      for (int i = 0; i < si.getLength(); i++) {
        if (!si.getVerificationResult(i)) why.append("; digest mismatch on reference ").append(si.item(i).getURI());
      }
      throw new IllegalStateException(why.toString());
    }
    return "sig=" + shortName(si.getSignatureMethodURI()) + " c14n=" + shortName(si.getCanonicalizationMethodURI())
        + " transforms=" + trNames + " ref=" + ref.getURI();
  }

  /** "http://www.w3.org/2001/10/xml-exc-c14n#" -> "xml-exc-c14n", "...#rsa-sha256" -> "rsa-sha256". */
  static String shortName(String uri) {
    String u = uri.endsWith("#") ? uri.substring(0, uri.length() - 1) : uri;
    return u.substring(Math.max(u.lastIndexOf('#'), u.lastIndexOf('/')) + 1);
  }
}
