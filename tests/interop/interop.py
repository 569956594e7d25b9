"""Runs the cross-language interop matrix of tests/interop/cases.json (docs/interop.md).

Started by tests/interop/run.sh, which builds the drivers and points
PARSEC_SERVICE_ENDPOINT at a daemon. Each driver is a persistent process (one
JSON request per line on stdin, one JSON answer per line on stdout), started
once. This program expands the table into cells, sends the requests, checks
every result with a third party (Python ``cryptography``, i.e. OpenSSL: signatures
verified on the creator's exported public key, exports compared byte for byte
as SubjectPublicKeyInfo, ciphertexts made by the creator's own standard library
decrypted by the user) and writes the report table to the console and to a file.

Exit status: 0 only if every cell that ran passed; cells that cannot run
(OpenSSL creates no keys; the other-uid row when not root) are listed as such.
"""

import argparse
import base64
import json
import os
import secrets
import select
import shlex
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils

MESSAGE = b"parsec-cpp interop: the same key from every language"
REQUEST_TIMEOUT_S = 180  # TPM RSA generation is the slowest request (seconds)


class Driver:
    """One persistent driver process."""

    def __init__(self, name: str, command: List[str]) -> None:
        self.name = name
        self.command = command
        self.proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)

    def request(self, req: Dict[str, Any]) -> Dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        try:
            self.proc.stdin.write(json.dumps(req) + "\n")
            self.proc.stdin.flush()
        except BrokenPipeError:
            return {"ok": False, "error": "DriverError", "message": f"driver {self.name} exited"}
        ready, _, _ = select.select([self.proc.stdout], [], [], REQUEST_TIMEOUT_S)
        if not ready:
            return {"ok": False, "error": "DriverError",
                    "message": f"driver {self.name}: no answer in {REQUEST_TIMEOUT_S} s"}
        line = self.proc.stdout.readline()
        if not line:
            return {"ok": False, "error": "DriverError", "message": f"driver {self.name} exited ({self.proc.poll()})"}
        return json.loads(line)

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@dataclass
class Cell:
    section: str
    provider: str
    a: str
    b: str
    op: str
    result: str  # pass, FAIL, n/a, not run, known (a known difference of the daemon, cases.json)
    detail: str = ""
    got: str = ""  # the failing answer: its uniform error code, or "ok" when a refusal was expected
    status: str = ""


@dataclass
class Report:
    cells: List[Cell] = field(default_factory=list)

    def add(self, cell: Cell) -> Cell:
        self.cells.append(cell)
        if cell.result == "FAIL":
            print(f"FAIL {cell.section} provider {cell.provider} {cell.a} -> {cell.b} {cell.op}: {cell.detail}",
                  flush=True)
        return cell

    def count(self, result: str) -> int:
        return sum(1 for c in self.cells if c.result == result)

    def apply_known(self, known: List[Dict[str, Any]]) -> None:
        """Turns each FAIL that is exactly a listed difference of the daemon (same section,
        provider, case and answer) into "known"; anything else stays a failure."""
        for c in self.cells:
            if c.result != "FAIL":
                continue
            for k in known:
                if (c.section == k["section"] and int(c.provider) in k["providers"] and c.op in k["cases"]
                        and c.got == k["answer"] and k.get("status", c.status) == c.status):
                    c.result, c.detail = "known", k["why"]
                    break


# ---- third-party checks ---------------------------------------------------------------------
def spki_of(answer: Dict[str, Any], key_type: str) -> bytes:
    """The SubjectPublicKeyInfo DER of an export answer (PSA format or SPKI)."""
    data = base64.b64decode(answer["public"])
    if answer.get("format") == "spki":
        key = serialization.load_der_public_key(data)
    elif key_type == "ecdsa-p256":
        key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), data)
    else:
        key = serialization.load_der_public_key(data)  # PKCS#1 RSAPublicKey
    return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def verify_signature(spki: bytes, key_type: str, answer: Dict[str, Any]) -> Optional[str]:
    """None if the signature of MESSAGE verifies with cryptography, else why not."""
    sig = base64.b64decode(answer["signature"])
    key = serialization.load_der_public_key(spki)
    try:
        if key_type == "ecdsa-p256":
            assert isinstance(key, ec.EllipticCurvePublicKey)
            if answer.get("format") == "raw":
                if len(sig) != 64:
                    return f"raw ECDSA signature of {len(sig)} bytes"
                sig = utils.encode_dss_signature(int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big"))
            key.verify(sig, MESSAGE, ec.ECDSA(hashes.SHA256()))
        else:
            assert isinstance(key, rsa.RSAPublicKey)
            # PSA's RSA-PSS: MGF1 with the signature hash, salt as long as the hash.
            key.verify(sig, MESSAGE, padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32), hashes.SHA256())
    except InvalidSignature:
        return "signature does not verify with the creator's public key (cryptography)"
    return None


def raw_signature(answer: Dict[str, Any], key_type: str) -> bytes:
    """The signature in the PSA form (ECDSA r||s) that the verify requests carry."""
    sig = base64.b64decode(answer["signature"])
    if key_type == "ecdsa-p256" and answer.get("format") == "der":
        r, s = utils.decode_dss_signature(sig)
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")
    return sig


# ---- the run --------------------------------------------------------------------------------
class Runner:
    def __init__(self, cases: Dict[str, Any], drivers: Dict[str, Driver], providers: List[int],
                 other_uid_note: str, auth: str) -> None:
        self.cases = cases
        self.drivers = drivers
        self.providers = providers
        self.other_uid_note = other_uid_note
        self.report = Report()
        # Direct: every request names an application; unix-peer: requests carry the caller's uid
        # (for a daemon with that authenticator only, such as an upstream one).
        self.auth = auth
        self.app = cases["app"] if auth == "direct" else ""
        self.run_id = secrets.token_hex(3)  # key names unique per run (an existing daemon may hold old ones)

    def call(self, driver: str, req: Dict[str, Any]) -> Dict[str, Any]:
        return self.drivers[driver].request(req)

    def key_name(self, provider: int, creator: str, key_type: str) -> str:
        return f"ix{self.run_id}-{creator}-{key_type}-p{provider}"

    # -- matrix --
    def matrix(self) -> None:
        key_types = self.cases["key_types"]
        for provider in self.providers:
            p = str(provider)
            for a in self.cases["creators"]:
                base = {"app": self.app, "provider": provider}
                spki: Dict[str, bytes] = {}
                for kt in key_types:
                    name = self.key_name(provider, a, kt)
                    t0 = time.monotonic()
                    ans = self.call(a, {**base, "op": "create", "name": name, "type": kt})
                    if not ans.get("ok"):
                        self.report.add(Cell("create", p, a, "-", f"create {kt}", "FAIL", json.dumps(ans)))
                        continue
                    exp = self.call(a, {**base, "op": "export_public", "name": name})
                    if not exp.get("ok"):
                        self.report.add(Cell("create", p, a, "-", f"create {kt}", "FAIL", "export: " + json.dumps(exp)))
                        self.call(a, {**base, "op": "destroy", "name": name})
                        continue
                    spki[kt] = spki_of(exp, kt)
                    self.report.add(Cell("create", p, a, "-", f"create {kt}", "pass", f"{time.monotonic() - t0:.2f} s"))
                # The OAEP ciphertext, made once by A's own standard library from A's export.
                plaintext = secrets.token_bytes(32)
                ciphertext = None
                if "rsa-oaep" in spki:
                    enc = self.call(a, {"op": "encrypt_local", "spki": base64.b64encode(spki["rsa-oaep"]).decode(),
                                        "plaintext": base64.b64encode(plaintext).decode()})
                    if enc.get("ok"):
                        ciphertext = enc["ciphertext"]
                    else:
                        self.report.add(Cell("create", p, a, "-", "encrypt_local rsa-oaep", "FAIL", json.dumps(enc)))
                for b in self.cases["users"]:
                    for case in self.cases["matrix"]:
                        if b in case.get("users", self.cases["users"]):  # a case may name the users it applies to
                            self.report.add(self.matrix_cell(provider, a, b, case, spki, plaintext, ciphertext))
                for kt in key_types:
                    if kt not in spki:
                        continue
                    name = self.key_name(provider, a, kt)
                    ans = self.call(a, {**base, "op": "destroy", "name": name})
                    listed = self.call("cpp", {**base, "op": "list_keys"})
                    gone = listed.get("ok") and f"{name}@{provider}" not in listed["keys"].split(",")
                    ok = ans.get("ok") and gone
                    self.report.add(Cell("destroy", p, a, "cpp (ListKeys)", f"destroy {kt}", "pass" if ok else "FAIL",
                                         "" if ok else json.dumps(ans) + " listed: " + json.dumps(listed)))

    def matrix_cell(self, provider: int, a: str, b: str, case: Dict[str, Any], spki: Dict[str, bytes],
                    plaintext: bytes, ciphertext: Optional[str]) -> Cell:
        kt, op = case["key"], case["op"]
        label = f"{kt} {op}" if kt != "*" else op
        cell = Cell("matrix", str(provider), a, b, label, "FAIL")
        if kt != "*" and kt not in spki:
            cell.detail = "creator's key missing"
            return cell
        req: Dict[str, Any] = {"app": self.app, "provider": provider, "op": op}
        if kt != "*":
            req.update(name=self.key_name(provider, a, kt), type=kt)
        if op in ("sign", "sign_message"):
            req["message"] = base64.b64encode(MESSAGE).decode()
        if op == "decrypt":
            if ciphertext is None:
                cell.detail = "no ciphertext from the creator"
                return cell
            req["ciphertext"] = ciphertext
        ans = self.call(b, req)
        if ans.get("error") == "NotApplicable":
            cell.result, cell.detail = "n/a", ans.get("idiom", "")
            return cell
        if not ans.get("ok"):
            cell.detail, cell.got, cell.status = json.dumps(ans), ans.get("error", ""), ans.get("status", "")
            return cell
        check = case["check"]
        why: Optional[str] = None
        if check == "signature_verifies":
            why = verify_signature(spki[kt], kt, ans)
        elif check == "same_public_key":
            if spki_of(ans, kt) != spki[kt]:
                why = "exported public key differs from the creator's"
        elif check == "plaintext_of_creator_ciphertext":
            if base64.b64decode(ans["plaintext"]) != plaintext:
                why = "decrypted plaintext differs"
        elif check == "lists_creator_keys":
            listed = set(ans["keys"].split(",")) if ans["keys"] else set()
            missing = [k for k in spki if f"{self.key_name(provider, a, k)}@{provider}" not in listed]
            if missing:
                why = f"ListKeys lacks {missing}"
        else:
            why = f"unknown check {check}"
        if why is None:
            cell.result = "pass"
        else:
            cell.detail = why
        return cell

    # -- the checks themselves --
    def selfcheck(self) -> None:
        """The third-party checks must reject what is wrong: a signature with one bit flipped, and
        the public key of another key; otherwise a pass in the matrix would prove nothing."""
        provider = self.providers[0]
        base = {"app": self.app, "provider": provider}
        for kt in ("ecdsa-p256", "rsa-pss"):
            names = [f"ix{self.run_id}-selfcheck-{kt}-{i}" for i in (1, 2)]
            made = [self.call("cpp", {**base, "op": "create", "name": n, "type": kt}) for n in names]
            exports = [self.call("cpp", {**base, "op": "export_public", "name": n}) for n in names]
            signed = self.call("cpp", {**base, "op": "sign", "name": names[0], "type": kt,
                                       "message": base64.b64encode(MESSAGE).decode()})
            if not all(a.get("ok") for a in made + exports + [signed]):
                self.report.add(Cell("selfcheck", str(provider), "cpp", "-", kt, "FAIL", json.dumps([made, signed])))
                continue
            spki = [spki_of(e, kt) for e in exports]
            sig = bytearray(base64.b64decode(signed["signature"]))
            sig[len(sig) // 2] ^= 0x01
            flipped = {**signed, "signature": base64.b64encode(bytes(sig)).decode()}
            checks = [
                ("genuine signature accepted", verify_signature(spki[0], kt, signed) is None),
                ("flipped signature rejected", verify_signature(spki[0], kt, flipped) is not None),
                ("other key's signature rejected", verify_signature(spki[1], kt, signed) is not None),
                ("other key's export differs", spki[0] != spki[1]),
            ]
            for what, ok in checks:
                self.report.add(Cell("selfcheck", str(provider), "cpp", "-", f"{kt}: {what}", "pass" if ok else "FAIL"))
            for n in names:
                self.call("cpp", {**base, "op": "destroy", "name": n})

    # -- error idioms --
    def errors(self) -> None:
        spec = self.cases["errors"]
        provider = spec["provider"]
        if provider not in self.providers:
            provider = self.providers[0]
        setup = spec["setup"]
        key = f"{setup['name']}-{self.run_id}"
        base = {"app": self.app, "provider": provider}
        made = self.call(setup["driver"], {**base, "op": "create", "name": key, "type": setup["type"]})
        if not made.get("ok"):
            self.report.add(Cell("errors", str(provider), setup["driver"], "-", "setup", "FAIL", json.dumps(made)))
            return
        # A signature of another message: valid form, wrong value.
        other = self.call(setup["driver"], {**base, "op": "sign", "name": key, "type": setup["type"],
                                            "message": base64.b64encode(b"another message").decode()})
        bad_signature = base64.b64encode(raw_signature(other, setup["type"])).decode() if other.get("ok") else ""
        subst = {"$key": key, "$message": base64.b64encode(MESSAGE).decode(), "$bad_signature": bad_signature}
        for row in spec["rows"]:
            if "provider" in row and int(row["provider"]) not in self.providers:
                for d in self.cases["users"]:
                    self.report.add(Cell("errors", str(row["provider"]), d, "-", row["expect"], "not run",
                                         f"not run (provider {row['provider']} is not in this run)"))
                continue
            for d in self.cases["users"]:
                template = row.get("per_driver", {}).get(d, row["request"])
                req = {**base, **{k: subst.get(v, v) if isinstance(v, str) else v for k, v in template.items()}}
                if "provider" in row:
                    req["provider"] = int(row["provider"])  # a refusal only that provider gives
                if req["op"] == "create" and req["name"] != key:
                    req["name"] = f"{req['name']}-{self.run_id}-{d}"
                ans = self.call(d, req)
                cell = Cell("errors", str(req["provider"]), d, "-", row["expect"], "FAIL")
                if ans.get("error") == "NotApplicable":
                    cell.result, cell.detail = "n/a", ans.get("idiom", "")
                elif not ans.get("ok") and ans.get("error") == row["expect"]:
                    cell.result = "pass"
                    cell.detail = ans.get("idiom", "") + (f" [{ans['status']}]" if ans.get("status") else "")
                else:
                    cell.detail = f"expected {row['expect']}, got " + json.dumps(ans)
                    cell.got = "ok" if ans.get("ok") else ans.get("error", "")
                    cell.status = ans.get("status", "")
                    if ans.get("ok") and req["op"] == "create":  # do not leave it behind
                        self.call("cpp", {**req, "op": "destroy"})
                self.report.add(cell)
        self.call(setup["driver"], {**base, "op": "destroy", "name": key})

    # -- tenancy --
    def tenancy(self) -> None:
        spec = self.cases["tenancy"]
        owner = dict(spec["owner"])
        if self.auth != "direct":
            owner["app"] = ""
        owner_label = f"{owner['driver']} ({owner['app'] or f'uid {os.getuid()}'})"
        kt = spec["key_type"]
        for provider in self.providers:
            p = str(provider)
            key = f"ix{self.run_id}-tenancy-p{provider}"
            own = {"app": owner["app"], "provider": provider, "name": key, "type": kt}
            made = self.call(owner["driver"], {**own, "op": "create"})
            if not made.get("ok"):
                self.report.add(Cell("tenancy", p, owner_label, "-", "create", "FAIL", json.dumps(made)))
                continue
            for obs in spec["observers"]:
                for row in spec["rows"]:
                    cell = Cell("tenancy", p, owner_label, obs["label"], row["op"], "FAIL")
                    if obs["driver"] not in self.drivers:
                        cell.result, cell.detail = "not run", self.other_uid_note
                        self.report.add(cell)
                        continue
                    if obs["app"] and self.auth != "direct":
                        cell.result, cell.detail = "not run", "not run (needs Direct authentication: --auth unix-peer)"
                        self.report.add(cell)
                        continue
                    req = {"app": obs["app"], "provider": provider, "name": key, "type": kt, "op": row["op"],
                           "message": base64.b64encode(MESSAGE).decode()}
                    ans = self.call(obs["driver"], req)
                    if row["expect"] == "absent":
                        listed = ans["keys"].split(",") if ans.get("keys") else []
                        ok = ans.get("ok") and f"{key}@{provider}" not in listed
                        cell.detail = f"{len(listed)} keys listed, none of the owner's"
                    else:
                        ok = not ans.get("ok") and ans.get("error") == row["expect"]
                        cell.detail = ans.get("idiom", "") + (f" [{ans['status']}]" if ans.get("status") else "")
                    if ok:
                        cell.result = "pass"
                    else:
                        cell.detail = f"expected {row['expect']}, got " + json.dumps(ans)
                    self.report.add(cell)
            # The owner still has the key and can use it: the refusals changed nothing.
            signed = self.call(owner["driver"], {**own, "op": "sign", "message": base64.b64encode(MESSAGE).decode()})
            exported = self.call(owner["driver"], {**own, "op": "export_public"})
            ok = signed.get("ok") and exported.get("ok") and verify_signature(spki_of(exported, kt), kt, signed) is None
            self.report.add(Cell("tenancy", p, owner_label, "itself", "still owns and signs",
                                 "pass" if ok else "FAIL", "" if ok else json.dumps([signed, exported])))
            gone = self.call(owner["driver"], {**own, "op": "destroy"})
            self.report.add(Cell("tenancy", p, owner_label, "itself", "destroy",
                                 "pass" if gone.get("ok") else "FAIL", "" if gone.get("ok") else json.dumps(gone)))


# ---- report ---------------------------------------------------------------------------------
def render(report: Report, cases: Dict[str, Any], seconds: float, endpoint: str) -> str:
    out: List[str] = []
    ops = [f"{c['key']} {c['op']}" if c["key"] != "*" else c["op"] for c in cases["matrix"]]
    short = {"ecdsa-p256": "ecdsa", "rsa-pss": "pss", "rsa-oaep": "oaep"}

    def head(op: str) -> str:
        for k, v in short.items():
            op = op.replace(k, v)
        return op.replace("export_public", "export").replace("list_keys", "list").replace("sign_message", "sign_msg")

    passed, failed, not_run = report.count("pass"), report.count("FAIL"), report.count("not run")
    na = [c for c in report.cells if c.result == "n/a"]
    known = report.count("known")
    summary = (f"cells: {len(report.cells)} ({passed} passed, {failed} failed, "
               + (f"{known} known differences, " if known else "")
               + f"{len(na)} not applicable, {not_run} not run) in {seconds:.1f} s")
    out.append(f"Parsec interop matrix ({endpoint}): provider x creator A x user B x operation")
    out.append(summary)
    out.append("")
    widths = [8, 7, 8] + [max(len(head(o)), 6) for o in ops]
    cols = ["provider", "A", "B"] + [head(o) for o in ops]
    out.append("  ".join(c.ljust(w) for c, w in zip(cols, widths)).rstrip())
    out.append("  ".join("-" * w for w in widths))
    matrix = {(c.provider, c.a, c.b, c.op): c.result for c in report.cells if c.section == "matrix"}
    rows = sorted({(c.provider, c.a, c.b) for c in report.cells if c.section == "matrix"},
                  key=lambda r: (r[0], cases["creators"].index(r[1]), cases["users"].index(r[2])))
    for p, a, b in rows:
        vals = [p, a, b] + [matrix.get((p, a, b, o), "-") for o in ops]
        out.append("  ".join(v.ljust(w) for v, w in zip(vals, widths)).rstrip())
    out.append("")
    for p in sorted({c.provider for c in report.cells if c.section == "matrix"}):
        mine = [c for c in report.cells if c.section == "matrix" and c.provider == p]
        counts = {r: sum(1 for c in mine if c.result == r) for r in ("pass", "FAIL", "n/a", "known")}
        out.append(f"provider {p}: {len(mine)} matrix cells, {counts['pass']} pass, {counts['FAIL']} FAIL, "
                   + (f"{counts['known']} known, " if counts["known"] else "") + f"{counts['n/a']} n/a")
    for section, title in (("selfcheck", "Self-check of the third-party checks (they reject wrong answers)"),
                           ("create", "Key creation (A makes, exports; timing)"),
                           ("destroy", "Destruction (A destroys, ListKeys no longer shows it)"),
                           ("errors", "Error idioms: the same daemon answer in each language"),
                           ("tenancy", "Tenancy across languages")):
        cells = [c for c in report.cells if c.section == section]
        if not cells:
            continue
        out.append("")
        out.append(title)
        for c in cells:
            who = f"{c.a} -> {c.b}" if c.b != "-" else c.a
            out.append(f"  provider {c.provider}  {who:<52} {c.op:<40} {c.result:<8} {c.detail}"[:230].rstrip())
    out.append("")
    out.append(summary)
    if known:
        out.append("KNOWN DIFFERENCES of this daemon (cases.json known_differences):")
        for why in sorted({c.detail for c in report.cells if c.result == "known"}):
            n = sum(1 for c in report.cells if c.result == "known" and c.detail == why)
            out.append(f"  {n:4d} cells: {why}")
    if not_run:
        out.append("NOT RUN: " + "; ".join(sorted({c.detail for c in report.cells if c.result == 'not run'})))
    out.append(f"interop: {passed} passed, {failed} failed" + (f", {not_run} skipped" if not_run else ""))
    return "\n".join(out) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", required=True)
    ap.add_argument("--report", required=True)
    ap.add_argument("--providers", default="", help="space-separated provider ids (default: the table's)")
    ap.add_argument("--driver", action="append", default=[], help="NAME=COMMAND (shell words)")
    ap.add_argument("--other-uid-note", default="not run (no other-uid driver)", help="why that driver is absent")
    ap.add_argument("--known", default="", help="apply cases.json known_differences of this daemon (upstream)")
    ap.add_argument("--auth", choices=("direct", "unix-peer"), default="direct",
                    help="authentication of the matrix requests (default direct, app names of cases.json)")
    args = ap.parse_args()
    with open(args.cases) as f:
        cases = json.load(f)
    providers = [int(p) for p in args.providers.split()] or cases["providers"]
    drivers: Dict[str, Driver] = {}
    for spec in args.driver:
        name, _, command = spec.partition("=")
        drivers[name] = Driver(name, shlex.split(command))
    started = time.monotonic()
    try:
        for name, d in drivers.items():
            hello = d.request({"op": "hello"})
            if not hello.get("ok"):
                print(f"interop: driver {name} did not start: {hello}", file=sys.stderr)
                return 1
        missing = [d for d in cases["users"] if d not in drivers]
        if missing:
            print(f"interop: no driver for {missing}", file=sys.stderr)
            return 1
        runner = Runner(cases, drivers, providers, args.other_uid_note, args.auth)
        runner.selfcheck()
        runner.matrix()
        runner.errors()
        runner.tenancy()
        if args.known:
            runner.report.apply_known([k for k in cases.get("known_differences", []) if k["daemon"] == args.known])
    finally:
        for d in drivers.values():
            d.close()
    text = render(runner.report, cases, time.monotonic() - started, os.environ.get("PARSEC_SERVICE_ENDPOINT", ""))
    os.makedirs(os.path.dirname(os.path.abspath(args.report)), exist_ok=True)
    with open(args.report, "w") as f:
        f.write(text)
    sys.stdout.write(text)
    print(f"report written to {args.report}")
    return 1 if runner.report.count("FAIL") else 0


if __name__ == "__main__":
    sys.exit(main())
