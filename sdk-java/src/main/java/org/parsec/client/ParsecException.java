package org.parsec.client;

/**
 * ParsecException is the base of every failure of the Parsec Java SDK: a status the service
 * answered, or one the client found itself (cannot connect, timeout, malformed answer), with
 * the closest wire status. It carries the wire status code and name, the operation that failed
 * ("PsaSignHash", empty when not tied to one request) and a human detail.
 *
 * <p>Unchecked, on purpose: most statuses are programming or deployment errors a caller cannot
 * handle locally; the JCA SPI methods this SDK implements have fixed checked exceptions
 * (SignatureException, ...) into which these are wrapped as causes; and lambdas/streams stay
 * usable. Callers that can react catch one family: {@link KeyNotFoundException},
 * {@link KeyAlreadyExistsException}, {@link NotPermittedException}, {@link NotSupportedException},
 * {@link InvalidArgumentException}, {@link AuthenticationException}, {@link ProviderException},
 * {@link ProtocolException}, {@link ServiceConnectionException}, {@link ServiceFailureException}.
 * Immutable; safe to share between threads.
 */
public class ParsecException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int status;
  private final String statusName;
  private final String operation;
  private final String detail;

  protected ParsecException(int status, String statusName, String operation, String detail, Throwable cause) {
    super(message(statusName, operation, detail), cause);
    this.status = status;
    this.statusName = statusName;
    this.operation = operation == null ? "" : operation;
    this.detail = detail == null ? "" : detail;
  }

  private static String message(String statusName, String operation, String detail) {
    String op = operation == null || operation.isEmpty() ? "" : operation + " failed: ";
    return op + statusName + (detail == null || detail.isEmpty() ? "" : " (" + detail + ")");
  }

  /** The wire status code (e.g. 1140 for PsaErrorDoesNotExist). */
  public int status() {
    return status;
  }

  /** The spec name of the status ("PsaErrorDoesNotExist"). */
  public String statusName() {
    return statusName;
  }

  /** The request that failed ("PsaSignHash"), or "" when not tied to one request. */
  public String operation() {
    return operation;
  }

  /** The human explanation. */
  public String detail() {
    return detail;
  }

  /**
   * of builds the exception of the family of {@code status} (the table in sdk-java/README.md).
   */
  public static ParsecException of(int status, String statusName, String operation, String detail, Throwable cause) {
    switch (status) {
      case 15:
        return new ServiceConnectionException(status, statusName, operation, detail, cause);
      case 1: case 5: case 6: case 18:
        return new ProviderException(status, statusName, operation, detail, cause);
      case 11: case 12: case 13: case 19:
        return new AuthenticationException(status, statusName, operation, detail, cause);
      case 2: case 3: case 4: case 7: case 8: case 9: case 10: case 16: case 17: case 20:
        return new ProtocolException(status, statusName, operation, detail, cause);
      case 1140: case 1136:
        return new KeyNotFoundException(status, statusName, operation, detail, cause);
      case 1139:
        return new KeyAlreadyExistsException(status, statusName, operation, detail, cause);
      case 1133: case 21:
        return new NotPermittedException(status, statusName, operation, detail, cause);
      case 1134: case 22:
        return new NotSupportedException(status, statusName, operation, detail, cause);
      case 1135: case 1137: case 1138: case 1143: case 1149: case 1150:
        return new InvalidArgumentException(status, statusName, operation, detail, cause);
      default:
        return new ServiceFailureException(status, statusName, operation, detail, cause);
    }
  }
}
