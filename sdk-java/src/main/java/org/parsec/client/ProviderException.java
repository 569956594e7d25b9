package org.parsec.client;

/** The provider asked for is not there (WrongProviderId, ProviderNotRegistered, ProviderDoesNotExist, WrongProviderUuid). */
public class ProviderException extends ParsecException {
  private static final long serialVersionUID = 1L;

  public ProviderException(int status, String statusName, String operation, String detail, Throwable cause) {
    super(status, statusName, operation, detail, cause);
  }
}
