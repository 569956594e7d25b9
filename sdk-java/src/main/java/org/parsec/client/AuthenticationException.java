package org.parsec.client;

/** The caller's identity was refused or missing (AuthenticationError, AuthenticatorDoesNotExist, AuthenticatorNotRegistered, NotAuthenticated). */
public class AuthenticationException extends ParsecException {
  private static final long serialVersionUID = 1L;

  public AuthenticationException(int status, String statusName, String operation, String detail, Throwable cause) {
    super(status, statusName, operation, detail, cause);
  }
}
