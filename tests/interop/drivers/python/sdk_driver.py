"""The Python SDK's driver of the interop matrix (docs/interop.md).

Uses parsec_sdk (the pybind11 module over the C++ core, built by
tests/interop/run.sh) with explicit algorithms; the Python standard library
(hashlib) and ``cryptography`` (RSA-OAEP encryption of a public key) are its
third party (imported only for encrypt_local). Errors carry the uniform code derived from the Python idiom: the
exception class (parsec_sdk.KeyNotFound, ...); a failed verification is
``verify_hash()`` returning False.
"""

import hashlib

import parsec_sdk
from driverlib import Answer, Request, b64, failure, serve, unb64
from parsec_sdk import Algorithm, AuthType, Hash, KeyAttributes, ProviderId

# Exception classes and the uniform code each one stands for, checked in order.
IDIOMS = [
    (parsec_sdk.KeyNotFound, "NotFound"),
    (parsec_sdk.KeyAlreadyExists, "AlreadyExists"),
    (parsec_sdk.NotPermitted, "NotPermitted"),
    (parsec_sdk.NotSupported, "NotSupported"),
    (parsec_sdk.InvalidSignature, "InvalidSignature"),
    (parsec_sdk.InvalidArgument, "InvalidArgument"),
]


def policy(key_type: str, h: Hash) -> Algorithm:
    return {"ecdsa-p256": Algorithm.ecdsa, "rsa-pss": Algorithm.rsa_pss, "rsa-oaep": Algorithm.rsa_oaep}[key_type](h)


def client_for(r: Request) -> parsec_sdk.Client:
    app = r.get("app") or ""
    provider = r.get("provider")
    return parsec_sdk.Client(app_name=app or None, auth=AuthType.DIRECT if app else AuthType.UNIX_PEER_CREDENTIALS,
                             provider=ProviderId(provider) if provider is not None else None)


def handle(r: Request) -> Answer:
    op, name = r["op"], r.get("name", "")
    h, hashlib_name = (Hash.SHA384, "sha384") if r.get("hash") == "sha384" else (Hash.SHA256, "sha256")
    if op == "hello":
        return {"ok": True, "driver": "python"}
    if op == "encrypt_local":
        # Imported here: the driver also runs as another uid with the system interpreter, without the
        # runner's virtual environment, for requests that never encrypt locally.
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import padding
        pub = serialization.load_der_public_key(unb64(r["spki"]))
        ct = pub.encrypt(unb64(r["plaintext"]),  # type: ignore[union-attr]
                         padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None))
        return {"ok": True, "ciphertext": b64(ct)}
    try:
        with client_for(r) as c:
            if op == "create":
                bits = r.get("bits")
                if r["type"] == "ecdsa-p256":
                    attrs = KeyAttributes.ecc_key_pair(bits or 256, policy(r["type"], h))
                else:
                    attrs = KeyAttributes.rsa_key_pair(bits or 2048, policy(r["type"], h))
                c.generate_key(name, attrs)
                return {"ok": True}
            if op == "export_public":
                return {"ok": True, "format": "psa", "public": b64(c.export_public_key(name))}
            digest = hashlib.new(hashlib_name, unb64(r.get("message", ""))).digest()
            if op == "sign":
                return {"ok": True, "format": "raw", "signature": b64(c.sign_hash(name, policy(r["type"], h), digest))}
            if op == "sign_message":  # the service hashes
                sig = c.sign_message(name, policy(r["type"], h), unb64(r["message"]))
                return {"ok": True, "format": "raw", "signature": b64(sig)}
            if op == "verify":
                if not c.verify_hash(name, policy(r["type"], h), digest, unb64(r["signature"])):
                    return failure("InvalidSignature", "verify_hash() returned False")
                return {"ok": True}
            if op == "decrypt":
                pt = c.asymmetric_decrypt(name, Algorithm.rsa_oaep(Hash.SHA256), unb64(r["ciphertext"]))
                return {"ok": True, "plaintext": b64(pt)}
            if op == "destroy":
                c.destroy_key(name)
                return {"ok": True}
            if op == "list_keys":
                return {"ok": True, "keys": ",".join(f"{k.name}@{int(k.provider)}" for k in c.list_keys())}
    except parsec_sdk.ParsecError as e:
        for cls, code in IDIOMS:
            if isinstance(e, cls):
                return failure(code, f"except parsec_sdk.{cls.__name__}", e.status.spec_name, str(e))
        return failure("Other", f"except parsec_sdk.{type(e).__name__}", e.status.spec_name, str(e))
    raise ValueError(f"unknown op {op}")


if __name__ == "__main__":
    serve(handle)
