"""parsec-cli's driver of the interop matrix (docs/interop.md).

Each request runs $PARSEC_CLI once (a new process, as a user's shell script
does), with --app-name/--auth direct or --auth unix-peer and -p PROVIDER.
The CLI's "standard library" for the third-party side is the openssl command
(RSA-OAEP encryption of the public key). Errors carry the uniform code derived
from the CLI's idiom: exit status 1 and the one line
``parsec-cli: <command>: <Status>: <detail>`` on stderr.
"""

import atexit
import os
import re
import shutil
import subprocess
import tempfile
from typing import List

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import utils
from driverlib import Answer, Request, b64, failure, serve, unb64

CLI = os.environ.get("PARSEC_CLI", "parsec-cli")
UNIFORM = {
    "PsaErrorDoesNotExist": "NotFound",
    "PsaErrorAlreadyExists": "AlreadyExists",
    "PsaErrorNotPermitted": "NotPermitted",
    "PsaErrorNotSupported": "NotSupported",
    "PsaErrorInvalidSignature": "InvalidSignature",
    "PsaErrorInvalidArgument": "InvalidArgument",
}
TMP = tempfile.mkdtemp(prefix="parsec-interop-cli.")
atexit.register(shutil.rmtree, TMP, True)  # inputs written for the command, outputs it wrote


def write(name: str, data: bytes) -> str:
    path = os.path.join(TMP, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


class CliFailure(Exception):
    def __init__(self, answer: Answer) -> None:
        super().__init__(answer.get("message", ""))
        self.answer = answer


def run(r: Request, args: List[str]) -> bytes:
    glob = ["--app-name", r["app"], "--auth", "direct"] if r.get("app") else ["--auth", "unix-peer"]
    if r.get("provider") is not None:
        glob += ["-p", str(r["provider"])]
    p = subprocess.run([CLI, *glob, *args], capture_output=True, timeout=120)
    if p.returncode == 0:
        return p.stdout
    err = p.stderr.decode(errors="replace").strip()
    m = re.match(r"parsec-cli: [\w-]+: (\w+): ", err)
    status = m.group(1) if m else ""
    idiom = f"exit {p.returncode}, stderr 'parsec-cli: {args[0]}: {status or '...'}: ...'"
    raise CliFailure(failure(UNIFORM.get(status, "Other"), idiom, status, err))


def handle(r: Request) -> Answer:
    op, name = r["op"], r.get("name", "")
    if op == "hello":
        return {"ok": True, "driver": "cli"}
    if op == "encrypt_local":
        key = write("pub.der", unb64(r["spki"]))
        ct = subprocess.run(["openssl", "pkeyutl", "-encrypt", "-pubin", "-keyform", "DER", "-inkey", key,
                             "-in", write("pt.bin", unb64(r["plaintext"])), "-pkeyopt", "rsa_padding_mode:oaep",
                             "-pkeyopt", "rsa_oaep_md:sha256", "-pkeyopt", "rsa_mgf1_md:sha256"],
                            capture_output=True, check=True).stdout
        return {"ok": True, "ciphertext": b64(ct)}
    if op == "sign_message":
        return failure("NotApplicable", "parsec-cli's sign hashes in the client and asks PsaSignHash")
    if r.get("hash", "sha256") != "sha256":
        return failure("NotApplicable", "parsec-cli signs with the key's policy (SHA-256 here)")
    try:
        if op == "create":
            bits = ["-b", str(r["bits"])] if r.get("bits") else []
            if r["type"] == "ecdsa-p256":
                if bits:
                    return failure("NotApplicable", "create-ecc-key makes P-256 keys only")
                run(r, ["create-ecc-key", "-k", name])
            else:
                run(r, ["create-rsa-key", "-k", name, "-r" if r["type"] == "rsa-pss" else "-o", *bits])
            return {"ok": True}
        if op == "export_public":
            pem = run(r, ["export-public-key", "-k", name])
            der = serialization.load_pem_public_key(pem).public_bytes(serialization.Encoding.DER,
                                                                      serialization.PublicFormat.SubjectPublicKeyInfo)
            return {"ok": True, "format": "spki", "public": b64(der)}
        if op == "export_private":
            run(r, ["export-key", "-k", name])
            return {"ok": True}
        if op == "sign":
            sig = run(r, ["sign", "-k", name, "-i", write("msg", unb64(r["message"])), "--format", "raw"])
            return {"ok": True, "format": "der" if r["type"] == "ecdsa-p256" else "raw", "signature": b64(sig)}
        if op == "verify":
            sig = unb64(r["signature"])
            if r["type"] == "ecdsa-p256":  # the CLI verifies what its sign prints: DER
                half = len(sig) // 2
                sig = utils.encode_dss_signature(int.from_bytes(sig[:half], "big"), int.from_bytes(sig[half:], "big"))
            run(r, ["verify", "-k", name, "--signature-file", write("sig", sig),
                    "-i", write("msg", unb64(r["message"]))])
            return {"ok": True}
        if op == "decrypt":
            pt = run(r, ["decrypt", "-k", name, "-i", write("ct", unb64(r["ciphertext"])), "--format", "raw"])
            return {"ok": True, "plaintext": b64(pt)}
        if op == "destroy":
            run(r, ["delete-key", "-k", name])
            return {"ok": True}
        if op == "list_keys":
            out = run(r, ["list-keys"]).decode()
            ids = {"Mbed Crypto provider": 1, "PKCS #11 provider": 2, "TPM provider": 3}
            keys = [f"{m.group(1)}@{ids.get(m.group(2), 0)}" for m in re.finditer(r"^\* (\S+) \(([^,]+),", out, re.M)]
            return {"ok": True, "keys": ",".join(keys)}
    except CliFailure as e:
        return e.answer
    raise ValueError(f"unknown op {op}")


if __name__ == "__main__":
    serve(handle)
