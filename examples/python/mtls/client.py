"""A `requests` client doing mutual TLS with its private key held by parsecd.

Nothing Parsec-specific is in this code: `requests` (urllib3, then Python's
ssl module) hands the key *file* to OpenSSL, which finds a PEM
"PARSEC KEY REFERENCE" block in it and, through the Parsec OpenSSL provider
named in OPENSSL_CONF, signs the TLS handshake in the daemon.

    OPENSSL_CONF=parsec-openssl.cnf python3 client.py https://127.0.0.1:8443/ \
        --cert client.crt --key client.ref --ca ca.crt
"""
import argparse

import requests


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("--cert", required=True, help="client certificate (PEM)")
    ap.add_argument("--key", required=True, help="key reference file written by parsec-cli create-key-reference")
    ap.add_argument("--ca", required=True, help="CA certificate that signed the server's certificate")
    a = ap.parse_args()
    r = requests.get(a.url, cert=(a.cert, a.key), verify=a.ca, timeout=30)
    r.raise_for_status()
    print(r.text, end="")


if __name__ == "__main__":
    main()
