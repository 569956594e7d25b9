"""Run a real parsecd for the tests (and for run-tests.sh's example run).

``Daemon`` writes a configuration (Direct with admin ``admin`` +
UnixPeerCredentials authenticators, the MbedCrypto provider, an SQLite key
store and the socket in its own directory), starts the binary, waits until its
log says ``parsecd listening on`` and stops it with SIGTERM.

Also a command-line tool: ``python parsecd.py PARSECD -- CMD ARGS...`` runs CMD
with PARSEC_SERVICE_ENDPOINT pointing at a fresh daemon and exits with CMD's
status (or 1 if the daemon does not exit cleanly).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from typing import List, Optional

DEFAULT_PARSECD = "/work/build/py/service/parsecd"
ADMIN_APP = "admin"


def parsecd_path() -> str:
    """The parsecd binary: $PARSECD, else the default development build."""
    return os.environ.get("PARSECD") or DEFAULT_PARSECD


class Daemon:
    """One parsecd process with its own configuration, socket and key store."""

    def __init__(self, directory: str, binary: Optional[str] = None, log_level: str = "info",
                 timeout_ms: int = 2000) -> None:
        self.binary = binary or parsecd_path()
        self.dir = directory
        self.log_level = log_level
        self.timeout_ms = timeout_ms
        os.makedirs(self.dir, exist_ok=True)
        os.makedirs(os.path.join(self.dir, "cwd"), exist_ok=True)
        self.proc: Optional[subprocess.Popen[bytes]] = None
        self._log: List[str] = []
        self._cond = threading.Condition()
        self._reader: Optional[threading.Thread] = None
        self._eof = False
        self.write_config()

    # ---- paths -----------------------------------------------------------------------------------
    @property
    def socket_path(self) -> str:
        return os.path.join(self.dir, "parsec.sock")

    @property
    def endpoint(self) -> str:
        return "unix:" + self.socket_path

    @property
    def store_path(self) -> str:
        return os.path.join(self.dir, "keys.sqlite3")

    @property
    def config_path(self) -> str:
        return os.path.join(self.dir, "config.toml")

    def config_text(self) -> str:
        return f"""[core_settings]
allow_root = true
thread_pool_size = 4
log_level = "{self.log_level}"

[listener]
listener_type = "DomainSocket"
timeout = {self.timeout_ms}
socket_path = "{self.socket_path}"

[[authenticator]]
auth_type = "Direct"
admins = [ {{ name = "{ADMIN_APP}" }} ]

[[authenticator]]
auth_type = "UnixPeerCredentials"

[[key_manager]]
name = "sqlite-manager"
manager_type = "SQLite"
sqlite_db_path = "{self.store_path}"

[[provider]]
provider_type = "MbedCrypto"
key_info_manager = "sqlite-manager"
"""

    def write_config(self) -> None:
        with open(self.config_path, "w", encoding="utf-8") as f:
            f.write(self.config_text())

    # ---- life cycle --------------------------------------------------------------------------------
    def start(self, wait: float = 30.0) -> None:
        """Start parsecd and wait for "parsecd listening on" (RuntimeError with the log if not)."""
        if self.proc is not None:
            raise RuntimeError("parsecd is already running")
        if not os.access(self.binary, os.X_OK):
            raise RuntimeError(f"parsecd binary not found or not executable: {self.binary} "
                               "(set PARSECD to the path of parsecd)")
        start = self.log_size()
        self._eof = False
        self.proc = subprocess.Popen(
            [self.binary, "-c", self.config_path], cwd=os.path.join(self.dir, "cwd"),
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self._reader = threading.Thread(target=self._read, args=(self.proc,), daemon=True)
        self._reader.start()
        if not self.wait_for_log("parsecd listening on", start, wait):
            log = self.log()
            self.kill()
            raise RuntimeError(f"parsecd did not start ({self.binary}); its log:\n{log}")

    def _read(self, proc: "subprocess.Popen[bytes]") -> None:
        assert proc.stdout is not None
        for line in iter(proc.stdout.readline, b""):
            with self._cond:
                self._log.append(line.decode("utf-8", "replace"))
                self._cond.notify_all()
        proc.stdout.close()
        with self._cond:
            self._eof = True
            self._cond.notify_all()

    def log_size(self) -> int:
        with self._cond:
            return len(self._log)

    def log(self, start: int = 0) -> str:
        with self._cond:
            return "".join(self._log[start:])

    def wait_for_log(self, needle: str, start: int = 0, timeout: float = 30.0) -> bool:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                if any(needle in line for line in self._log[start:]):
                    return True
                remaining = deadline - time.monotonic()
                if self._eof or remaining <= 0:
                    return False
                self._cond.wait(remaining)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30.0) -> int:
        """Send ``sig``, wait for the exit and return the exit code (negative: killed by a signal)."""
        if self.proc is None:
            raise RuntimeError("parsecd is not running")
        proc, self.proc = self.proc, None
        proc.send_signal(sig)
        try:
            code = proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise RuntimeError(f"parsecd did not exit {timeout} s after signal {sig}; log:\n{self.log()}")
        if self._reader is not None:
            self._reader.join(10)
        return code

    def kill(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None
        if self._reader is not None:
            self._reader.join(10)

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


def main(argv: List[str]) -> int:
    if len(argv) < 3 or "--" not in argv:
        print(f"usage: {argv[0]} PARSECD -- CMD [ARGS...]", file=sys.stderr)
        return 2
    sep = argv.index("--")
    binary = argv[1] if sep > 1 else parsecd_path()
    cmd = argv[sep + 1:]
    tmp = tempfile.mkdtemp(prefix="parsec-example-")
    daemon = Daemon(tmp, binary)
    try:
        daemon.start()
        env = dict(os.environ, PARSEC_SERVICE_ENDPOINT=daemon.endpoint)
        rc = subprocess.call(cmd, env=env)
        code = daemon.stop()
        if code != 0:
            print(f"parsecd exited with {code}; log:\n{daemon.log()}", file=sys.stderr)
            return rc or 1
        return rc
    finally:
        daemon.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
