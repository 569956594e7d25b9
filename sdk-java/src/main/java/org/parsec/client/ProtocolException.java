package org.parsec.client;

/** The request or answer broke the wire contract (content/accept type, version, (de)serialisation, unknown opcode, InvalidEncoding, InvalidHeader, size limits). */
public class ProtocolException extends ParsecException {
  private static final long serialVersionUID = 1L;

  public ProtocolException(int status, String statusName, String operation, String detail, Throwable cause) {
    super(status, statusName, operation, detail, cause);
  }
}
