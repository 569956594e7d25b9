package org.parsec.client;

/** One entry of ListProviders. */
public record ProviderInfo(ProviderId id, String uuid, String description, String vendor, long versionMajor,
                           long versionMinor, long versionRevision) {}
