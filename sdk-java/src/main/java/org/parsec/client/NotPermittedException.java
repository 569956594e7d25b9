package org.parsec.client;

/** The key's policy or the caller's role forbids the operation (PsaErrorNotPermitted, AdminOperation). */
public class NotPermittedException extends ParsecException {
  private static final long serialVersionUID = 1L;

  public NotPermittedException(int status, String statusName, String operation, String detail, Throwable cause) {
    super(status, statusName, operation, detail, cause);
  }
}
