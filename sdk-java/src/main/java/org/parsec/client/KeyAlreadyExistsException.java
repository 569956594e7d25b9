package org.parsec.client;

/** A key with this name already exists for this caller (PsaErrorAlreadyExists). */
public class KeyAlreadyExistsException extends ParsecException {
  private static final long serialVersionUID = 1L;

  public KeyAlreadyExistsException(int status, String statusName, String operation, String detail, Throwable cause) {
    super(status, statusName, operation, detail, cause);
  }
}
