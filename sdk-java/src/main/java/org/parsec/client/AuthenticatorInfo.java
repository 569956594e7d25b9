package org.parsec.client;

/** One entry of ListAuthenticators. */
public record AuthenticatorInfo(AuthType id, String description, long versionMajor, long versionMinor,
                                long versionRevision) {}
