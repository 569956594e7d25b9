"""The OpenSSL provider's driver of the interop matrix (docs/interop.md).

Each request runs the ``openssl`` command with OPENSSL_CONF naming the Parsec
provider module ($PARSEC_OSSL_MODULE, parsec.so) and a ``parsec:`` key URI
(``parsec:NAME?provider=N&app=APP``; no app: Unix peer credentials). OpenSSL
cannot create, list or destroy Parsec keys (the provider only refers to them),
so those requests answer NotApplicable. Signatures go to parsecd
(PsaSignHash), decryption too (PsaAsymmetricDecrypt); verification is done by
OpenSSL itself with the public key the provider fetched. Errors carry the
uniform code derived from OpenSSL's idiom: the error-queue reason of library
``parsec`` ("parsec key not found", "parsec operation not permitted", ...) that
the failing command prints, and for "parsec service error" the status named in
its message; a failed verification is pkeyutl's "Signature Verification
Failure" (exit 1).
"""

import atexit
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from typing import List

from cryptography.hazmat.primitives.asymmetric import utils
from driverlib import Answer, Request, b64, failure, serve, unb64

TMP = tempfile.mkdtemp(prefix="parsec-interop-openssl.")
atexit.register(shutil.rmtree, TMP, True)  # inputs written for the command, outputs it wrote
CONF = os.path.join(TMP, "openssl.cnf")
with open(CONF, "w") as f:
    f.write(f"""openssl_conf = openssl_init
[openssl_init]
providers = provider_sect
[provider_sect]
default = default_sect
parsec = parsec_sect
[default_sect]
activate = 1
[parsec_sect]
module = {os.environ["PARSEC_OSSL_MODULE"]}
activate = 1
""")
ENV = dict(os.environ, OPENSSL_CONF=CONF)
REASONS = [
    ("parsec key not found", "NotFound"),
    ("parsec operation not permitted", "NotPermitted"),
    ("Signature Verification Failure", "InvalidSignature"),
    ("parsec service error", "Other"),  # any other status: its name follows in the message
]
UNIFORM = {
    "PsaErrorDoesNotExist": "NotFound",
    "PsaErrorAlreadyExists": "AlreadyExists",
    "PsaErrorNotPermitted": "NotPermitted",
    "PsaErrorNotSupported": "NotSupported",
    "PsaErrorInvalidSignature": "InvalidSignature",
    "PsaErrorInvalidArgument": "InvalidArgument",
}
HASHES = {"sha256": "SHA256", "sha384": "SHA384"}


def write(name: str, data: bytes) -> str:
    path = os.path.join(TMP, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


def uri(r: Request) -> str:
    params = []
    if r.get("provider") is not None:
        params.append(f"provider={r['provider']}")
    if r.get("app"):
        params.append(f"app={r['app']}")
    return f"parsec:{r['name']}" + ("?" + "&".join(params) if params else "")


class OpensslFailure(Exception):
    def __init__(self, answer: Answer) -> None:
        super().__init__(answer.get("message", ""))
        self.answer = answer


def openssl(args: List[str]) -> bytes:
    p = subprocess.run(["openssl", *args], capture_output=True, env=ENV, timeout=120)
    if p.returncode == 0:
        return p.stdout
    text = (p.stderr + p.stdout).decode(errors="replace")
    status_match = re.search(r"failed: (\w+) \(", text)  # "PsaSignHash failed: PsaErrorNotSupported (...)"
    status = status_match.group(1) if status_match else ""
    for reason, code in REASONS:
        if reason in text:
            if code == "Other":
                code = UNIFORM.get(status, "Other")
            raise OpensslFailure(failure(code, f"openssl exit {p.returncode}, '{reason}'", status, text.strip()[-400:]))
    raise OpensslFailure(failure("Other", f"openssl exit {p.returncode}", "", text.strip()[-400:]))


def sign_opts(r: Request) -> List[str]:
    opts = ["-pkeyopt", f"digest:{r.get('hash', 'sha256')}"]
    if r["type"] == "rsa-pss":
        opts += ["-pkeyopt", "rsa_padding_mode:pss", "-pkeyopt", "rsa_pss_saltlen:digest"]
    return opts


def digest_file(r: Request) -> str:
    return write("digest", hashlib.new(r.get("hash", "sha256"), unb64(r["message"])).digest())


def handle(r: Request) -> Answer:
    op = r["op"]
    if op == "hello":
        return {"ok": True, "driver": "openssl"}
    try:
        if op == "encrypt_local":
            ct = openssl(["pkeyutl", "-encrypt", "-pubin", "-keyform", "DER",
                          "-inkey", write("pub.der", unb64(r["spki"])),
                          "-in", write("pt", unb64(r["plaintext"])), "-pkeyopt", "rsa_padding_mode:oaep",
                          "-pkeyopt", "rsa_oaep_md:sha256", "-pkeyopt", "rsa_mgf1_md:sha256"])
            return {"ok": True, "ciphertext": b64(ct)}
        if op == "sign_message":
            return failure("NotApplicable", "OpenSSL hashes in-process and asks PsaSignHash")
        if op in ("create", "destroy", "list_keys", "export_private"):
            return failure("NotApplicable", "the OpenSSL provider refers to existing keys only")
        if op == "export_public":
            der = openssl(["pkey", "-in", uri(r), "-pubout", "-outform", "DER"])
            return {"ok": True, "format": "spki", "public": b64(der)}
        if op == "sign":
            sig = openssl(["pkeyutl", "-sign", "-inkey", uri(r), "-in", digest_file(r), *sign_opts(r)])
            return {"ok": True, "format": "der" if r["type"] == "ecdsa-p256" else "raw", "signature": b64(sig)}
        if op == "verify":
            sig = unb64(r["signature"])
            if r["type"] == "ecdsa-p256":
                half = len(sig) // 2
                sig = utils.encode_dss_signature(int.from_bytes(sig[:half], "big"), int.from_bytes(sig[half:], "big"))
            openssl(["pkeyutl", "-verify", "-inkey", uri(r), "-in", digest_file(r), "-sigfile", write("sig", sig),
                     *sign_opts(r)])
            return {"ok": True}
        if op == "decrypt":
            pt = openssl(["pkeyutl", "-decrypt", "-inkey", uri(r), "-in", write("ct", unb64(r["ciphertext"])),
                          "-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", "rsa_oaep_md:sha256",
                          "-pkeyopt", "rsa_mgf1_md:sha256"])
            return {"ok": True, "plaintext": b64(pt)}
    except OpensslFailure as e:
        return e.answer
    raise ValueError(f"unknown op {op}")


if __name__ == "__main__":
    serve(handle)
