package org.parsec.client.jni;

/**
 * NativeException is what the JNI layer throws for a failed facade call (parsec.i,
 * PARSEC_JAVA_EXCEPTION). It never reaches users: {@link org.parsec.client.ParsecClient}
 * turns it into the typed {@link org.parsec.client.ParsecException} hierarchy.
 */
public final class NativeException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  public final int status;
  public final String statusName;
  public final String operation;
  public final String detail;

  public NativeException(int status, String statusName, String operation, String detail) {
    super(statusName + ": " + detail, null, false, false);
    this.status = status;
    this.statusName = statusName;
    this.operation = operation;
    this.detail = detail;
  }
}
