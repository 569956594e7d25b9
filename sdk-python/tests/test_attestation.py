"""Key attestation through the SDK. The software provider does not attest keys
(only the TPM provider does), so the calls must reach the daemon and come back
as the right exceptions."""

from __future__ import annotations

import pytest

import parsec_sdk
from parsec_sdk import Client


def test_unserved_attestation_is_not_supported_before_any_key_lookup(client: Client, key_name: str) -> None:
    # docs/protocol.md, operations §2 rule 0: a provider that does not serve an
    # operation answers NotSupported before the key is looked up, so an unknown
    # key gets the same answer as an existing one.
    with pytest.raises(parsec_sdk.NotSupported):
        client.prepare_key_attestation(key_name)
    with pytest.raises(parsec_sdk.NotSupported):
        client.attest_key_activate_credential(key_name, b"blob", b"secret")


def test_software_provider_does_not_attest(client: Client, key_name: str) -> None:
    client.generate_key(key_name)
    with pytest.raises(parsec_sdk.NotSupported) as prepared:
        client.prepare_key_attestation(key_name)
    assert prepared.value.status == parsec_sdk.Status.PSA_ERROR_NOT_SUPPORTED
    with pytest.raises(parsec_sdk.NotSupported):
        client.attest_key_activate_credential(key_name, b"blob", b"secret")
