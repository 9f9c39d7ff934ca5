// Decrypts the first xenc:EncryptedData of an XML file with Apache Santuario (org.apache.xml.security,
// Debian's libxml-security-java) and a private key given on the command line — never a key found in
// the document. Compiled at run time like SantuarioVerify.java (see verifiers.mjs):
//
//   javac -cp /usr/share/java/xmlsec.jar -d OUT SantuarioDecrypt.java
//   java -cp OUT:/usr/share/java/xmlsec.jar:/usr/share/java/commons-codec.jar:/usr/share/java/slf4j-api.jar:/usr/share/java/slf4j-nop.jar \
//        SantuarioDecrypt FILE KEY.pem PLAINTEXT_OUT
//
// KEY.pem is a PKCS#8 "PRIVATE KEY". Writes the decrypted octets, exactly as Santuario returns them
// (XMLCipher.decryptToByteArray), to PLAINTEXT_OUT; then decrypts again in place (XMLCipher.doFinal,
// what a relying party does with an EncryptedAssertion) and checks that the EncryptedData was
// replaced by one element. Prints "OK <details>" and exits 0, or "FAIL <reason>" and exits 1.
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import org.apache.xml.security.Init;
import org.apache.xml.security.encryption.EncryptedData;
import org.apache.xml.security.encryption.EncryptedKey;
import org.apache.xml.security.encryption.XMLCipher;
import org.apache.xml.security.utils.EncryptionConstants;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

public final class SantuarioDecrypt {
  public static void main(String[] args) {
    if (args.length != 3) {
      System.out.println("FAIL usage: SantuarioDecrypt FILE KEY.pem PLAINTEXT_OUT");
      System.exit(2);
    }
    try {
      String detail = decrypt(new File(args[0]), new File(args[1]), new File(args[2]));
      System.out.println("OK " + detail);
      System.exit(0);
    } catch (Exception e) {
      System.out.println("FAIL " + e.getClass().getSimpleName() + ": " + e.getMessage());
      System.exit(1);
    }
  }

  static Document parse(File xml) throws Exception {
    DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
    dbf.setNamespaceAware(true);
    // Secure parsing: no DOCTYPE at all (so no entities, no external DTD), secure processing on.
    dbf.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    dbf.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
    dbf.setXIncludeAware(false);
    dbf.setExpandEntityReferences(false);
    return dbf.newDocumentBuilder().parse(xml);
  }

  static Element encryptedData(Document doc) {
    NodeList list = doc.getElementsByTagNameNS(EncryptionConstants.EncryptionSpecNS, EncryptionConstants._TAG_ENCRYPTEDDATA);
    if (list.getLength() != 1) throw new IllegalStateException(list.getLength() + " xenc:EncryptedData elements, expected 1");
    return (Element) list.item(0);
  }

  static PrivateKey privateKey(File pem) throws Exception {
    String text = new String(Files.readAllBytes(pem.toPath()), StandardCharsets.US_ASCII);
    if (!text.contains("-----BEGIN PRIVATE KEY-----")) throw new IllegalArgumentException("KEY.pem is not a PKCS#8 PRIVATE KEY");
    String b64 = text.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(b64)));
  }

  static XMLCipher cipher(PrivateKey kek) throws Exception {
    XMLCipher c = XMLCipher.getInstance();
    c.init(XMLCipher.DECRYPT_MODE, null);
    // The key-encryption key is ours: the EncryptedKey inside ds:KeyInfo is decrypted with it,
    // whatever its own KeyInfo says.
    c.setKEK(kek);
    c.setSecureValidation(true);
    return c;
  }

  static String decrypt(File xml, File pem, File out) throws Exception {
    Init.init();
    PrivateKey kek = privateKey(pem);

    Document doc = parse(xml);
    Element ed = encryptedData(doc);
    XMLCipher reader = cipher(kek);
    EncryptedData data = reader.loadEncryptedData(doc, ed);
    EncryptedKey key = data.getKeyInfo() == null ? null : data.getKeyInfo().itemEncryptedKey(0);
    if (key == null) throw new IllegalStateException("no xenc:EncryptedKey in the EncryptedData's ds:KeyInfo");
    String dataAlg = data.getEncryptionMethod().getAlgorithm();
    String keyAlg = key.getEncryptionMethod().getAlgorithm();
    String digest = key.getEncryptionMethod().getDigestAlgorithm();
    String mgf = key.getEncryptionMethod().getMGFAlgorithm();

    byte[] plain = cipher(kek).decryptToByteArray(ed);
    Files.write(out.toPath(), plain);

    // In place, as a relying party decrypts an EncryptedAssertion: the EncryptedData's parent
    // must afterwards hold the decrypted element where the EncryptedData was.
    Document again = parse(xml);
    Element ed2 = encryptedData(again);
    Node parent = ed2.getParentNode();
    cipher(kek).doFinal(again, ed2);
    Element replaced = null;
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n.getNodeType() == Node.ELEMENT_NODE) {
        if (replaced != null) throw new IllegalStateException("more than one element where the EncryptedData was");
        replaced = (Element) n;
      }
    }
    if (replaced == null || EncryptionConstants.EncryptionSpecNS.equals(replaced.getNamespaceURI())) {
      throw new IllegalStateException("the EncryptedData was not replaced by the decrypted element");
    }
    return "data=" + shortName(dataAlg) + " key=" + shortName(keyAlg) + " digest=" + shortName(digest) + " mgf=" + shortName(mgf)
        + " bytes=" + plain.length + " element={" + replaced.getNamespaceURI() + "}" + replaced.getLocalName();
  }

  /** "http://www.w3.org/2009/xmlenc11#aes256-gcm" -> "aes256-gcm"; null -> "-". */
  static String shortName(String uri) {
    if (uri == null) return "-";
    return uri.substring(Math.max(uri.lastIndexOf('#'), uri.lastIndexOf('/')) + 1);
  }
}
