package org.parsec.client;

/** PrepareKeyAttestation's result (TPM ActivateCredential): inputs for TPM2_MakeCredential. */
public record Attestation(byte[] name, byte[] publicArea, byte[] attestingKeyPublic) {}
