package org.parsec.client;

/** A value of the request is wrong (PsaErrorInvalidArgument, BadState, BufferTooSmall, InsufficientData, InvalidSignature, InvalidPadding). */
public class InvalidArgumentException extends ParsecException {
  private static final long serialVersionUID = 1L;

  public InvalidArgumentException(int status, String statusName, String operation, String detail, Throwable cause) {
    super(status, statusName, operation, detail, cause);
  }
}
