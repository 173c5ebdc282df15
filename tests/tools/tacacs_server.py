#!/usr/bin/env python3
"""A small TACACS+ server (RFC 8907) for the tests: Debian 12 packages none.

Authentication: ASCII login (START, GETUSER if the START has no user, GETPASS, CONTINUE) and PAP, users from a
file ("name password" per line). The key is per connection: --key for everyone, --client-key ADDR=KEY for one
client address. SINGLE_CONNECT is honoured when --single-connection is given (the connection then carries
further sessions). Accounting records are logged and answered SUCCESS; authorization is answered FAIL.

Every decision goes to the log (--log, one line each, flushed), e.g.
  authen START ascii user john from 127.0.0.1 rem_addr 192.0.2.10 -> PASS
  acct START user john task_id=7 addr=10.0.0.1 -> SUCCESS
  bad packet from 127.0.0.1: body does not parse (wrong key?)

--mode garbage answers every packet with bytes that are not TACACS+; --mode silent accepts and never answers.
Proved against Authen::TacacsPlus (tests/xauth/test_tacacs_server.sh) before any test trusts it.
"""
import argparse
import hashlib
import os
import socket
import socketserver
import struct
import sys
import threading

AUTHEN, AUTHOR, ACCT = 1, 2, 3
UNENCRYPTED, SINGLE_CONNECT = 0x01, 0x04
PASS, FAIL, GETUSER, GETPASS, ERROR = 0x01, 0x02, 0x04, 0x05, 0x07
ASCII, PAP = 1, 2
ACCT_START, ACCT_STOP, ACCT_WATCHDOG = 0x02, 0x04, 0x08
MAX_BODY = 65536


def pad(session_id, key, version, seq, length):
    out, prev = b"", b""
    while len(out) < length:
        prev = hashlib.md5(struct.pack(">I", session_id) + key + bytes([version, seq]) + prev).digest()
        out += prev
    return out[:length]


def crypt(header, key, body):
    version, _, seq, flags, session_id, _ = header
    if flags & UNENCRYPTED or not key:
        return body
    return bytes(a ^ b for a, b in zip(body, pad(session_id, key, version, seq, len(body))))


def printable(b):
    return "".join(chr(c) if 0x20 <= c < 0x7F and c != 0x5C else "\\x%02x" % c for c in b[:200])


class BadPacket(Exception):
    pass


def fields(body, offset, lengths):
    out = []
    for n in lengths:
        if offset + n > len(body):
            raise BadPacket("body does not parse (wrong key?)")
        out.append(body[offset:offset + n])
        offset += n
    if offset != len(body):
        raise BadPacket("body does not parse (wrong key?)")
    return out


class Handler(socketserver.BaseRequestHandler):
    def setup(self):
        self.cfg = self.server.cfg
        peer = self.client_address[0]
        self.peer = peer
        self.key = self.cfg.client_keys.get(peer, self.cfg.key).encode()
        self.single = False
        self.sessions = {}  # session_id -> state of an ASCII login in progress

    def log(self, line):
        self.server.log(line)

    def recv_exactly(self, n):
        data = b""
        while len(data) < n:
            chunk = self.request.recv(n - len(data))
            if not chunk:
                return None
            data += chunk
        return data

    def send(self, header, body):
        version, ptype, seq, _, session_id, _ = header
        flags = SINGLE_CONNECT if self.single else 0
        h = (version, ptype, seq + 1, flags, session_id, len(body))
        self.request.sendall(struct.pack(">BBBBII", *h) + crypt(h, self.key, body))

    def reply(self, header, status, message=b"", flags=0):
        body = struct.pack(">BBHH", status, flags, len(message), 0) + message
        self.send(header, body)

    def handle(self):
        first = True
        while True:
            raw = self.recv_exactly(12)
            if raw is None:
                return
            header = struct.unpack(">BBBBII", raw)
            version, ptype, seq, flags, session_id, length = header
            if version >> 4 != 0xC or length > MAX_BODY:
                self.log("bad packet from %s: not TACACS+ (version %#x, length %d)" % (self.peer, version, length))
                return
            body = self.recv_exactly(length)
            if body is None:
                return
            if first:
                self.single = bool(flags & SINGLE_CONNECT) and self.cfg.single_connection
                if self.single:
                    self.log("single-connection from %s" % self.peer)
                first = False
            if self.cfg.mode == "silent":
                continue
            if self.cfg.mode == "garbage":
                self.request.sendall(b"HTTP/1.0 400 Bad Request\r\n\r\n" + os.urandom(16))
                return
            if flags & UNENCRYPTED and self.key:
                self.log("bad packet from %s: unencrypted, a key is configured" % self.peer)
                return
            body = crypt(header, self.key, body)
            try:
                done = self.dispatch(header, body)
            except BadPacket as e:
                self.log("bad packet from %s: %s" % (self.peer, e))
                return
            if done and not self.single:
                return

    def dispatch(self, header, body):
        ptype = header[1]
        if ptype == AUTHEN:
            return self.authen(header, body)
        if ptype == ACCT:
            return self.acct(header, body)
        if ptype == AUTHOR:
            self.log("author request from %s -> FAIL" % self.peer)
            self.send(header, struct.pack(">BBHHH", 0x10, 0, 0, 0, 0))
            return True
        raise BadPacket("unknown type %d" % ptype)

    def check(self, user, password):
        return self.cfg.accounts.get(user) == password

    def authen(self, header, body):
        seq, session_id = header[2], header[4]
        if seq == 1:
            if len(body) < 8:
                raise BadPacket("body does not parse (wrong key?)")
            action, priv, atype, service, ul, pl, rl, dl = body[:8]
            user, port, rem, data = fields(body, 8, (ul, pl, rl, dl))
            if action != 1 or atype not in (ASCII, PAP):
                self.log("authen START action %d type %d from %s -> ERROR" % (action, atype, self.peer))
                self.reply(header, ERROR, b"unsupported")
                return True
            user = user.decode("latin-1")
            what = "authen START %s user %s from %s rem_addr %s" % (
                "ascii" if atype == ASCII else "pap", printable(user.encode("latin-1")) or "(none)", self.peer,
                printable(rem))
            if atype == PAP:
                ok = self.check(user, data.decode("latin-1"))
                self.log("%s -> %s" % (what, "PASS" if ok else "FAIL"))
                self.reply(header, PASS if ok else FAIL, b"" if ok else b"bad user or password")
                return True
            self.sessions[session_id] = {"user": user, "what": what}
            if user:
                self.reply(header, GETPASS, b"Password: ", flags=0x01)
            else:
                self.reply(header, GETUSER, b"Username: ")
            return False
        state = self.sessions.get(session_id)
        if state is None or seq % 2 == 0:
            raise BadPacket("CONTINUE for unknown session %#x" % session_id)
        if len(body) < 5:
            raise BadPacket("body does not parse (wrong key?)")
        ml, dl, cflags = struct.unpack(">HHB", body[:5])
        message, _ = fields(body, 5, (ml, dl))
        if cflags & 0x01:
            self.log("%s -> ABORT" % state["what"])
            del self.sessions[session_id]
            return True
        if not state["user"]:
            state["user"] = message.decode("latin-1")
            state["what"] += " (GETUSER %s)" % printable(message)
            self.reply(header, GETPASS, b"Password: ", flags=0x01)
            return False
        ok = self.check(state["user"], message.decode("latin-1"))
        self.log("%s -> %s" % (state["what"], "PASS" if ok else "FAIL"))
        del self.sessions[session_id]
        self.reply(header, PASS if ok else FAIL, b"" if ok else b"bad user or password")
        return True

    def acct(self, header, body):
        if len(body) < 9:
            raise BadPacket("body does not parse (wrong key?)")
        aflags, method, priv, atype, service, ul, pl, rl, argc = body[:9]
        arg_lengths = list(body[9:9 + argc])
        if len(arg_lengths) != argc:
            raise BadPacket("body does not parse (wrong key?)")
        parts = fields(body, 9 + argc, [ul, pl, rl] + arg_lengths)
        user, args = parts[0], parts[3:]
        kind = {ACCT_START: "START", ACCT_STOP: "STOP", ACCT_WATCHDOG: "WATCHDOG"}.get(
            aflags & 0x0E, "flags %#x" % aflags)
        self.log("acct %s user %s from %s %s -> SUCCESS" % (
            kind, printable(user), self.peer, " ".join(printable(a) for a in args)))
        self.send(header, struct.pack(">HHB", 0, 0, 0x01))
        return True


class Server(socketserver.ThreadingMixIn, socketserver.TCPServer):
    allow_reuse_address = True
    daemon_threads = True

    def __init__(self, address, cfg):
        self.cfg = cfg
        self.lock = threading.Lock()
        self.logfile = open(cfg.log, "a") if cfg.log else sys.stdout
        super().__init__(address, Handler)

    def log(self, line):
        with self.lock:
            self.logfile.write(line + "\n")
            self.logfile.flush()


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--address", default="127.0.0.1")
    p.add_argument("--port", type=int, default=49)
    p.add_argument("--key", default="")
    p.add_argument("--client-key", action="append", default=[], help="ADDR=KEY, the key for one client address")
    p.add_argument("--users", required=True, help='file of "name password" lines')
    p.add_argument("--log")
    p.add_argument("--single-connection", action="store_true")
    p.add_argument("--mode", choices=("normal", "garbage", "silent"), default="normal")
    cfg = p.parse_args()
    cfg.client_keys = dict(k.split("=", 1) for k in cfg.client_key)
    cfg.accounts = {}
    with open(cfg.users) as f:
        for line in f:
            parts = line.split(None, 1)
            if len(parts) == 2 and not line.startswith("#"):
                cfg.accounts[parts[0]] = parts[1].rstrip("\n")
    server = Server((cfg.address, cfg.port), cfg)
    server.log("listening on %s:%d" % (cfg.address, cfg.port))
    server.serve_forever()


if __name__ == "__main__":
    main()
