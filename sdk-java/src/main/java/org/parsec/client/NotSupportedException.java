package org.parsec.client;

/** The provider does not support the operation, algorithm or key size (PsaErrorNotSupported, DeprecatedPrimitive). */
public class NotSupportedException extends ParsecException {
  private static final long serialVersionUID = 1L;

  public NotSupportedException(int status, String statusName, String operation, String detail, Throwable cause) {
    super(status, statusName, operation, detail, cause);
  }
}
