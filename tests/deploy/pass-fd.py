#!/usr/bin/env python3
"""Exec a command as if a service manager had passed it descriptor 3 (sd_listen_fds(3)).

    pass-fd.py KIND -- COMMAND [ARGS...]

KIND says what descriptor 3 is; LISTEN_PID is this process (exec keeps it) and
LISTEN_FDS is 1 unless told otherwise:
  file        a regular file
  closed      nothing (descriptor 3 not open)
  udp         an AF_INET datagram socket
  unix-dgram  a bound AF_UNIX datagram socket
  tcp         a listening AF_INET stream socket on 127.0.0.1
  unbound     an AF_UNIX stream socket bound to a path but not listening
  connected   one end of a connected AF_UNIX stream pair (what Accept=yes passes)
  two         a listening AF_UNIX stream socket, with LISTEN_FDS=2
  other-pid   a listening AF_UNIX stream socket, with LISTEN_PID of another process
The paths of bound sockets are in $PASS_FD_DIR (default: the working directory).
"""
import os
import socket
import sys


def main():
    sep = sys.argv.index("--")
    kind, command = sys.argv[1], sys.argv[sep + 1:]
    folder = os.environ.get("PASS_FD_DIR", ".")
    fds, pid = "1", os.getpid()
    keep = []
    if kind == "file":
        fd = os.open("/etc/hostname" if os.path.exists("/etc/hostname") else "/dev/null", os.O_RDONLY)
    elif kind == "closed":
        fd = None
    elif kind == "udp":
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        fd = s.detach()
    elif kind == "unix-dgram":
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        s.bind(os.path.join(folder, "dgram.sock"))
        fd = s.detach()
    elif kind == "tcp":
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind(("127.0.0.1", 0))
        s.listen()
        fd = s.detach()
    elif kind == "unbound":
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind(os.path.join(folder, "unbound.sock"))
        fd = s.detach()
    elif kind == "connected":
        a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        fd = a.detach()
        keep.append(b)
    elif kind in ("two", "other-pid"):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind(os.path.join(folder, kind + ".sock"))
        s.listen()
        fd = s.detach()
        if kind == "two":
            fds = "2"
            os.dup2(os.open("/dev/null", os.O_RDONLY), 4, inheritable=True)
        else:
            pid = os.getppid()
    else:
        sys.exit("pass-fd.py: unknown KIND " + kind)
    if fd is None:
        try:
            os.close(3)
        except OSError:
            pass
    elif fd != 3:
        os.dup2(fd, 3, inheritable=True)
        os.close(fd)
    else:
        os.set_inheritable(3, True)
    os.environ["LISTEN_PID"] = str(pid)
    os.environ["LISTEN_FDS"] = fds
    os.execvp(command[0], command)


if __name__ == "__main__":
    main()
