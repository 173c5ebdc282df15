#!/usr/bin/env python3
"""Test server for the NAT checks: listens on ADDRESS:PORT (TCP) and answers every connection with one line,
"peer A.B.C.D", the source address it saw, then closes. Usage: echo_peer.py ADDRESS PORT [PORT...]
Client side: echo_peer.py --ask SOURCE DESTINATION PORT prints the address the server saw (SOURCE "" = any);
exit 1 when the connection fails or times out (4 s): refused, dropped or unreachable."""
import socket
import sys
import threading


def serve(address: str, port: int) -> None:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((address, port))
    listener.listen(16)
    print(f"listening on {address}:{port}", flush=True)
    while True:
        conn, peer = listener.accept()
        with conn:
            print(f"{address}:{port} connection from {peer[0]}", flush=True)
            conn.sendall(f"peer {peer[0]}\n".encode())


def ask(source: str, destination: str, port: int) -> int:
    try:
        with socket.create_connection((destination, port), timeout=4,
                                      source_address=(source, 0) if source else None) as conn:
            line = conn.recv(100).decode().split()
    except OSError as e:
        print(f"no answer from {destination}:{port}: {e}", file=sys.stderr)
        return 1
    if len(line) != 2 or line[0] != "peer":
        print(f"unexpected answer from {destination}:{port}: {line}", file=sys.stderr)
        return 1
    print(line[1])
    return 0


def main() -> None:
    if sys.argv[1] == "--ask":
        sys.exit(ask(sys.argv[2], sys.argv[3], int(sys.argv[4])))
    address = sys.argv[1]
    ports = [int(p) for p in sys.argv[2:]]
    threads = [threading.Thread(target=serve, args=(address, p), daemon=True) for p in ports]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


if __name__ == "__main__":
    main()
