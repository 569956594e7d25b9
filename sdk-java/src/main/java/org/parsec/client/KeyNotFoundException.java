package org.parsec.client;

/** No key with this name exists for this caller on this provider (PsaErrorDoesNotExist, PsaErrorInvalidHandle). */
public class KeyNotFoundException extends ParsecException {
  private static final long serialVersionUID = 1L;

  public KeyNotFoundException(int status, String statusName, String operation, String detail, Throwable cause) {
    super(status, statusName, operation, detail, cause);
  }
}
