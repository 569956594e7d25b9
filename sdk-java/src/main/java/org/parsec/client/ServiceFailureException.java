package org.parsec.client;

/** The service or its back end failed (PsaErrorGenericError, storage, memory, entropy, hardware, communication, corruption, KeyInfoManagerError). */
public class ServiceFailureException extends ParsecException {
  private static final long serialVersionUID = 1L;

  public ServiceFailureException(int status, String statusName, String operation, String detail, Throwable cause) {
    super(status, statusName, operation, detail, cause);
  }
}
