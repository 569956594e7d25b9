#!/usr/bin/env python3
"""Run a command under the kernel restrictions of a systemd unit, without systemd.

    sandbox.py UNIT_FILE [DROP_IN...] -- COMMAND [ARGS...]

CI machines and containers rarely run systemd as PID 1, so the hardened
parsec.service cannot be started there. This reproduces the parts of it that
decide whether parsecd can run at all, read from the unit file itself so that
the test follows what is shipped, then execs COMMAND in the same process (so
LISTEN_PID set by systemd-socket-activate stays right):

  NoNewPrivileges=yes          prctl(PR_SET_NO_NEW_PRIVS)
  CapabilityBoundingSet=       every capability dropped: bounding, effective,
                               permitted, inheritable (so root is powerless)
  LimitNOFILE=N                RLIMIT_NOFILE soft = hard = N (or this machine's
                               hard limit when that is lower and cannot be raised)
  SystemCallFilter=            allow-list of @groups and names as systemd reads
                               them (expanded by `systemd-analyze syscall-filter`,
                               @default always added), minus every ~ list; other
                               calls fail with SystemCallErrorNumber=
  SystemCallArchitectures=native  only native-ABI calls (others kill)
  MemoryDenyWriteExecute=yes   mmap W+X, mprotect/pkey_mprotect +X, shmat SHM_EXEC: EPERM
  RestrictAddressFamilies=     socket() of another family: EAFNOSUPPORT
  RestrictNamespaces=yes       unshare/setns: EPERM, clone with CLONE_NEW*: EPERM,
                               clone3: ENOSYS (as systemd does, so libc falls back)

Everything else of the unit (User=, ProtectSystem=, PrivateDevices=, the device
cgroup, PrivateNetwork=, IPAddressDeny=...) needs systemd's namespaces and
cgroups and is NOT reproduced; docs/deployment.md says so. A key this script
does not know is ignored: only the keys above are enforced here.
"""
import ctypes
import errno
import os
import resource
import subprocess
import sys

SCMP_ACT_ALLOW = 0x7FFF0000
SCMP_ACT_KILL_PROCESS = 0x80000000
SCMP_CMP_NE = 1
SCMP_CMP_MASKED_EQ = 7
SCMP_FLTATR_ACT_BADARCH = 2


def SCMP_ACT_ERRNO(e):
    return 0x00050000 | (e & 0xFFFF)


class ArgCmp(ctypes.Structure):
    _fields_ = [("arg", ctypes.c_uint), ("op", ctypes.c_int), ("datum_a", ctypes.c_uint64),
                ("datum_b", ctypes.c_uint64)]


def fail(msg):
    sys.stderr.write("sandbox.py: %s\n" % msg)
    sys.exit(125)


def read_unit(paths):
    """[(key, value)] of the [Service] sections, in file order (drop-ins after the unit)."""
    out = []
    for path in paths:
        section = None
        with open(path) as f:
            for line in f:
                line = line.strip()
                if not line or line[0] in "#;":
                    continue
                if line.startswith("["):
                    section = line
                    continue
                if section == "[Service]" and "=" in line:
                    k, v = line.split("=", 1)
                    out.append((k.strip(), v.strip()))
    return out


_groups = {}


def expand(name):
    """Syscall names of a @group (recursively) or [name]."""
    if not name.startswith("@"):
        return {name}
    if name not in _groups:
        text = subprocess.run(["systemd-analyze", "syscall-filter", "--no-pager", name], check=True,
                              capture_output=True, text=True).stdout
        names = set()
        for line in text.splitlines()[1:]:
            line = line.strip()
            if line and not line.startswith("#"):
                names |= expand(line)
        _groups[name] = names
    return _groups[name]


def main():
    if "--" not in sys.argv:
        fail("usage: sandbox.py UNIT_FILE [DROP_IN...] -- COMMAND [ARGS...]")
    sep = sys.argv.index("--")
    units, command = sys.argv[1:sep], sys.argv[sep + 1:]
    if not units or not command:
        fail("usage: sandbox.py UNIT_FILE [DROP_IN...] -- COMMAND [ARGS...]")
    settings = read_unit(units)

    def last(key, default=None):
        vals = [v for k, v in settings if k == key]
        return vals[-1] if vals else default

    libc = ctypes.CDLL(None, use_errno=True)
    seccomp = ctypes.CDLL("libseccomp.so.2", use_errno=True)
    seccomp.seccomp_init.restype = ctypes.c_void_p
    seccomp.seccomp_init.argtypes = [ctypes.c_uint32]
    seccomp.seccomp_rule_add_array.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int, ctypes.c_uint,
                                               ctypes.POINTER(ArgCmp)]
    seccomp.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
    seccomp.seccomp_load.argtypes = [ctypes.c_void_p]
    seccomp.seccomp_attr_set.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_uint32]
    applied = []

    nofile = last("LimitNOFILE")
    if nofile:
        n = int(nofile)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (n, n))
        except (ValueError, OSError):
            # A container may cap the hard limit below the unit's; keep its cap.
            n = min(n, resource.getrlimit(resource.RLIMIT_NOFILE)[1])
            resource.setrlimit(resource.RLIMIT_NOFILE, (n, n))
        applied.append("LimitNOFILE=%d" % n)

    # Capabilities: CapabilityBoundingSet= (empty) drops them all.
    if last("CapabilityBoundingSet") == "":
        cap_last = int(open("/proc/sys/kernel/cap_last_cap").read())
        eff = [line.split()[1] for line in open("/proc/self/status") if line.startswith("CapEff")][0]
        for cap in range(cap_last + 1):
            if libc.prctl(24, cap, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
                # Not root: without CAP_SETPCAP the bounding set stays, but
                # with no capability held there is nothing it could give back.
                if ctypes.get_errno() == errno.EPERM and int(eff, 16) == 0:
                    break
                fail("PR_CAPBSET_DROP %d: %s" % (cap, os.strerror(ctypes.get_errno())))
        header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this process
        data = (ctypes.c_uint32 * 6)()
        if libc.capset(header, data) != 0:
            fail("capset: %s" % os.strerror(ctypes.get_errno()))
        applied.append("CapabilityBoundingSet=")

    if last("NoNewPrivileges") == "yes":
        if libc.prctl(38, 1, 0, 0, 0) != 0:  # PR_SET_NO_NEW_PRIVS
            fail("PR_SET_NO_NEW_PRIVS: %s" % os.strerror(ctypes.get_errno()))
        applied.append("NoNewPrivileges=yes")

    def resolve(name):
        nr = seccomp.seccomp_syscall_resolve_name(name.encode())
        return None if nr < 0 else nr

    def rule(ctx, action, name, conds=()):
        nr = resolve(name)
        if nr is None:
            return
        arr = (ArgCmp * max(1, len(conds)))(*[ArgCmp(*c) for c in conds])
        rc = seccomp.seccomp_rule_add_array(ctx, action, nr, len(conds), arr)
        if rc != 0:
            fail("seccomp rule for %s: %s" % (name, os.strerror(-rc)))

    def load(ctx, what):
        rc = seccomp.seccomp_load(ctx)
        if rc != 0:
            fail("seccomp_load (%s): %s" % (what, os.strerror(-rc)))

    # The allow-list is worked out before any filter is loaded.
    filters = [v for k, v in settings if k == "SystemCallFilter"]
    if filters:
        if filters[0].startswith("~"):
            fail("a deny-list-first SystemCallFilter= is not reproduced")
        allowed = set(expand("@default"))
        for f in filters:
            deny = f.startswith("~")
            names = set()
            for word in f.lstrip("~").split():
                names |= expand(word)
            allowed = allowed - names if deny else allowed | names

    # The argument checks, a filter of their own, loaded first.
    ctx = seccomp.seccomp_init(SCMP_ACT_ALLOW)
    extra = False
    if last("MemoryDenyWriteExecute") == "yes":
        eperm = SCMP_ACT_ERRNO(errno.EPERM)
        rule(ctx, eperm, "mmap", [(2, SCMP_CMP_MASKED_EQ, 0x6, 0x6)])  # PROT_WRITE|PROT_EXEC
        rule(ctx, eperm, "mprotect", [(2, SCMP_CMP_MASKED_EQ, 0x4, 0x4)])  # PROT_EXEC
        rule(ctx, eperm, "pkey_mprotect", [(2, SCMP_CMP_MASKED_EQ, 0x4, 0x4)])
        rule(ctx, eperm, "shmat", [(2, SCMP_CMP_MASKED_EQ, 0o100000, 0o100000)])  # SHM_EXEC
        applied.append("MemoryDenyWriteExecute=yes")
        extra = True
    families = last("RestrictAddressFamilies")
    if families:
        if families != "AF_UNIX":
            fail("only RestrictAddressFamilies=AF_UNIX is reproduced, not %s" % families)
        rule(ctx, SCMP_ACT_ERRNO(errno.EAFNOSUPPORT), "socket", [(0, SCMP_CMP_NE, 1, 0)])  # AF_UNIX
        applied.append("RestrictAddressFamilies=AF_UNIX")
        extra = True
    if last("RestrictNamespaces") == "yes":
        eperm = SCMP_ACT_ERRNO(errno.EPERM)
        rule(ctx, eperm, "unshare")
        rule(ctx, eperm, "setns")
        # CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET
        for flag in (0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000):
            rule(ctx, eperm, "clone", [(0, SCMP_CMP_MASKED_EQ, flag, flag)])
        rule(ctx, SCMP_ACT_ERRNO(errno.ENOSYS), "clone3")
        applied.append("RestrictNamespaces=yes")
        extra = True
    if extra:
        load(ctx, "argument checks")

    # The system call allow-list, loaded last: it may well refuse seccomp()
    # itself. Kernel filters stack and the most restrictive answer wins.
    if filters:
        errno_name = last("SystemCallErrorNumber")
        default = SCMP_ACT_ERRNO(getattr(errno, errno_name)) if errno_name else SCMP_ACT_KILL_PROCESS
        ctx = seccomp.seccomp_init(default)
        # SystemCallArchitectures=native: libseccomp's context holds the native ABI
        # only; a call through another one kills.
        seccomp.seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS)
        for name in sorted(allowed):
            rule(ctx, SCMP_ACT_ALLOW, name)
        load(ctx, "SystemCallFilter")
        applied.append("SystemCallFilter (%d calls allowed, others %s)" % (len(allowed), errno_name or "kill"))
        if last("SystemCallArchitectures") == "native":
            applied.append("SystemCallArchitectures=native")

    sys.stderr.write("sandbox.py: applied %s\n" % ", ".join(applied))
    sys.stderr.flush()
    try:
        os.execvp(command[0], command)
    except OSError as e:
        fail("exec %s: %s" % (command[0], e))


if __name__ == "__main__":
    main()
