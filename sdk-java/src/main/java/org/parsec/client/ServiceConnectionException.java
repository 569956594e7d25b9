package org.parsec.client;

/** The service cannot be reached or did not answer in time (ConnectionError). */
public class ServiceConnectionException extends ParsecException {
  private static final long serialVersionUID = 1L;

  public ServiceConnectionException(int status, String statusName, String operation, String detail, Throwable cause) {
    super(status, statusName, operation, detail, cause);
  }
}
