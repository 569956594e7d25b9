"""Discovery and admin operations against the real daemon."""

from __future__ import annotations

import pytest

import parsec_sdk
from parsec_sdk import AuthType, Client, KeyAttributes, Opcode, ProviderId


def test_ping(client: Client) -> None:
    assert client.ping() == (1, 0)
    assert client.ping().major == 1


def test_list_providers(client: Client) -> None:
    providers = client.list_providers()
    ids = [p.id for p in providers]
    assert ids[0] == ProviderId.MBED_CRYPTO
    assert ProviderId.CORE in ids
    mbed = providers[0]
    assert mbed.uuid == "1c1139dc-ad7c-47dc-ad6b-db6fdb466552"
    assert mbed.vendor == "Arm" and "Mbed Crypto" in mbed.description
    assert mbed.name == "Mbed Crypto provider"
    assert len(mbed.version) == 3


def test_default_provider_and_auth(endpoint: str, app_name: str) -> None:
    with Client(endpoint, app_name=app_name) as c:
        assert c.provider == ProviderId.MBED_CRYPTO
        assert c.auth == AuthType.DIRECT  # first listed, and we have a name
    with Client(endpoint) as c:
        assert c.auth == AuthType.UNIX_PEER_CREDENTIALS  # Direct needs a name
    with Client(endpoint, app_name=app_name, auth="unix-peer-credentials", provider=ProviderId.MBED_CRYPTO) as c:
        assert c.auth == AuthType.UNIX_PEER_CREDENTIALS
        c.auth = None
        assert c.auth == AuthType.DIRECT


def test_list_opcodes(client: Client) -> None:
    served = client.list_opcodes()
    assert served == sorted(served)
    for op in (Opcode.PSA_GENERATE_KEY, Opcode.PSA_DESTROY_KEY, Opcode.PSA_SIGN_HASH, Opcode.PSA_VERIFY_HASH,
               Opcode.PSA_IMPORT_KEY, Opcode.PSA_EXPORT_PUBLIC_KEY, Opcode.PSA_GENERATE_RANDOM):
        assert op in served
    core = client.list_opcodes(ProviderId.CORE)
    for op in (Opcode.PING, Opcode.LIST_PROVIDERS, Opcode.LIST_OPCODES, Opcode.LIST_AUTHENTICATORS,
               Opcode.LIST_KEYS):
        assert op in core


def test_list_opcodes_of_an_unconfigured_provider(client: Client) -> None:
    with pytest.raises(parsec_sdk.ProviderNotRegistered):
        client.list_opcodes(ProviderId.TPM)


def test_list_authenticators(client: Client) -> None:
    auths = client.list_authenticators()
    assert [a.id for a in auths] == [AuthType.DIRECT, AuthType.UNIX_PEER_CREDENTIALS]
    assert all(a.description for a in auths)


def test_list_keys_and_keys(client: Client, key_name: str) -> None:
    assert client.list_keys() == []
    assert client.keys() == []
    attrs = KeyAttributes.ecc_key_pair()
    client.generate_key(key_name, attrs)
    infos = client.list_keys()
    assert len(infos) == 1
    info = infos[0]
    assert (info.name, info.provider) == (key_name, ProviderId.MBED_CRYPTO)
    assert info.attributes == attrs
    keys = client.keys()
    assert [k.name for k in keys] == [key_name]
    assert keys[0].attributes == attrs
    assert client.has_key(key_name) and not client.has_key(key_name + "-no")


def test_list_clients_and_delete_client(endpoint: str, admin: Client, app_name: str) -> None:
    with Client(endpoint, app_name=app_name) as tenant:
        tenant.generate_key("a")
        tenant.generate_key("b")
        assert app_name in admin.list_clients()
        admin.delete_client(app_name)
        assert app_name not in admin.list_clients()
        assert tenant.list_keys() == []
        with pytest.raises(parsec_sdk.KeyNotFound):
            tenant.key("a")


def test_admin_operations_need_admin_rights(client: Client) -> None:
    with pytest.raises(parsec_sdk.AdminOperationRequired) as info:
        client.list_clients()
    assert info.value.status == parsec_sdk.Status.ADMIN_OPERATION
    assert info.value.from_service
    assert "ListClients" in str(info.value) and "admin" in str(info.value)
    with pytest.raises(parsec_sdk.AdminOperationRequired):
        client.delete_client("someone")
