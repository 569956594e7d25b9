#!/usr/bin/env python3
"""Device identity with a key that never leaves the Parsec service.

1. The device creates its identity key (ECDSA P-256) in parsecd.
2. It builds a certificate signing request signed by that key (the signature is
   computed by parsecd through parsec_sdk's cryptography integration).
3. A test CA (generated here, in-process, with `cryptography`) checks the CSR
   and issues the device certificate.
4. A verifier sends a random challenge; the device signs it with the identity
   key; the verifier checks the certificate against the CA and the signature
   against the certificate.

Run with a daemon reachable through PARSEC_SERVICE_ENDPOINT:

    PARSEC_SERVICE_ENDPOINT=unix:/run/parsec/parsec.sock python examples/python/device_identity.py

Options: --key-name NAME (default "device-identity"), --app-name NAME (Direct
authentication; default "device-identity-example"; with UnixPeerCredentials only
the name is unused), --keep (keep the key; by default it is destroyed at the
end), --out DIR (write the CSR and certificates as PEM files there).
Exit status 0 when every check passed.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import uuid
from typing import List

from cryptography import x509
from cryptography.exceptions import InvalidSignature as CryptoInvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

import parsec_sdk
from parsec_sdk import KeyAttributes


def now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


class TestCA:
    """A throwaway certificate authority living in this process."""

    def __init__(self) -> None:
        self.key = ec.generate_private_key(ec.SECP384R1())
        self.name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "parsec-cpp example"),
                               x509.NameAttribute(NameOID.COMMON_NAME, "Example Device CA")])
        self.cert = (
            x509.CertificateBuilder()
            .subject_name(self.name).issuer_name(self.name)
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now() - datetime.timedelta(minutes=1))
            .not_valid_after(now() + datetime.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(self.key.public_key()), critical=False)
            .sign(self.key, hashes.SHA384())
        )

    def issue(self, csr: x509.CertificateSigningRequest) -> x509.Certificate:
        """Check the CSR's proof of possession and issue a client certificate for it."""
        if not csr.is_signature_valid:
            raise ValueError("CSR signature is not valid")
        public = csr.public_key()
        if not isinstance(public, ec.EllipticCurvePublicKey):
            raise ValueError("this CA only certifies EC keys")
        san = csr.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        return (
            x509.CertificateBuilder()
            .subject_name(csr.subject).issuer_name(self.name)
            .public_key(public)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now() - datetime.timedelta(minutes=1))
            .not_valid_after(now() + datetime.timedelta(days=7))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
            .add_extension(san, critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()), critical=False)
            .sign(self.key, hashes.SHA384())
        )


class Verifier:
    """A relying party that trusts the CA and challenges the device."""

    def __init__(self, ca_cert: x509.Certificate) -> None:
        self.ca_cert = ca_cert

    def check_certificate(self, cert: x509.Certificate) -> None:
        cert.verify_directly_issued_by(self.ca_cert)  # signature, issuer name
        t = now()
        if not (cert.not_valid_before_utc <= t <= cert.not_valid_after_utc):
            raise ValueError("certificate is not valid now")
        eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        if ExtendedKeyUsageOID.CLIENT_AUTH not in eku:
            raise ValueError("certificate is not for client authentication")

    @staticmethod
    def challenge() -> bytes:
        return os.urandom(32)

    @staticmethod
    def check_response(cert: x509.Certificate, challenge: bytes, signature: bytes) -> bool:
        public = cert.public_key()
        assert isinstance(public, ec.EllipticCurvePublicKey)
        try:
            public.verify(signature, challenge, ec.ECDSA(hashes.SHA256()))
            return True
        except CryptoInvalidSignature:
            return False


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--key-name", default="device-identity")
    parser.add_argument("--app-name", default="device-identity-example")
    parser.add_argument("--keep", action="store_true", help="keep the identity key in the service")
    parser.add_argument("--out", help="directory for the PEM files")
    args = parser.parse_args(argv)

    with parsec_sdk.Client(app_name=args.app_name) as client:
        print(f"parsecd at {client.endpoint}: provider {client.provider.display_name}, "
              f"authentication {client.auth.display_name}")

        # 1. The identity key, created in the service.
        try:
            key = client.generate_key(args.key_name, KeyAttributes.ecc_key_pair())  # P-256, ECDSA/SHA-256
            print(f"created identity key {key.name!r} ({key.attributes.type_string()}, {key.bits} bits)")
        except parsec_sdk.KeyAlreadyExists:
            key = client.key(args.key_name)
            print(f"using the existing identity key {key.name!r}")
        try:
            device_key = key.private_key()  # a cryptography EllipticCurvePrivateKey backed by parsecd
            assert isinstance(device_key, ec.EllipticCurvePrivateKey)

            # 2. CSR signed by the key in the service.
            serial = uuid.uuid4().hex[:12]
            csr = (
                x509.CertificateSigningRequestBuilder()
                .subject_name(x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "parsec-cpp example"),
                                         x509.NameAttribute(NameOID.COMMON_NAME, f"device-{serial}")]))
                .add_extension(x509.SubjectAlternativeName([x509.DNSName(f"device-{serial}.devices.example")]),
                               critical=False)
                .sign(device_key, hashes.SHA256())
            )
            assert csr.is_signature_valid
            assert csr.signature_hash_algorithm is not None
            print(f"CSR for {csr.subject.rfc4514_string()} signed by parsecd "
                  f"(ECDSA with {csr.signature_hash_algorithm.name.upper()})")

            # 3. The test CA issues the certificate.
            ca = TestCA()
            cert = ca.issue(csr)
            print(f"certificate {cert.serial_number:x} issued by {ca.name.rfc4514_string()}")

            # 4. Proof of possession for a verifier.
            verifier = Verifier(ca.cert)
            verifier.check_certificate(cert)
            challenge = verifier.challenge()
            response = device_key.sign(challenge, ec.ECDSA(hashes.SHA256()))
            if not verifier.check_response(cert, challenge, response):
                print("FAILED: the verifier rejected the device's response", file=sys.stderr)
                return 1
            if verifier.check_response(cert, verifier.challenge(), response):
                print("FAILED: a response was accepted for another challenge", file=sys.stderr)
                return 1
            print("verifier: certificate chains to the CA, challenge signature valid: device identity proven")

            if args.out:
                os.makedirs(args.out, exist_ok=True)
                for name, obj in (("device.csr.pem", csr), ("device.crt.pem", cert), ("ca.crt.pem", ca.cert)):
                    with open(os.path.join(args.out, name), "wb") as f:
                        f.write(obj.public_bytes(serialization.Encoding.PEM))
                print(f"wrote device.csr.pem, device.crt.pem and ca.crt.pem to {args.out}")
        finally:
            if not args.keep:
                key.destroy()
                print(f"destroyed {key.name!r} (use --keep to keep it)")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except parsec_sdk.ServiceUnavailable as e:
        print(f"cannot reach parsecd: {e}\n(set PARSEC_SERVICE_ENDPOINT, e.g. unix:/run/parsec/parsec.sock)",
              file=sys.stderr)
        sys.exit(2)
    except parsec_sdk.ParsecError as e:
        print(f"Parsec error: {e} [{e.status.spec_name}]", file=sys.stderr)
        sys.exit(1)
