package org.parsec.client;

/** One entry of ListKeys: a key of the caller, its provider and attributes. */
public record KeyInfo(ProviderId provider, String name, KeyAttributes attributes) {}
