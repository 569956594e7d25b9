package org.parsec.client;

import java.util.ArrayList;
import java.util.List;

/** Subject of a certificate signing request ({@link ParsecKey#createCsr}); null/empty fields are left out. */
public final class CsrSubject {
  public String commonName;
  public String organizationalUnit;
  public String organization;
  public String locality;
  public String state;
  public String country;
  public String serialNumber;
  /** DNS names, or IP addresses when they parse as one. */
  public final List<String> subjectAltNames = new ArrayList<>();

  public static CsrSubject commonName(String cn) {
    CsrSubject s = new CsrSubject();
    s.commonName = cn;
    return s;
  }
}
