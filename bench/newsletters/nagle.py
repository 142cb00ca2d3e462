#!/usr/bin/env python3
"""Why the newsletter send is slow through lettre 0.11: one SMTP connection to
an aiosmtpd sink, each message's body and its closing "\\r\\n.\\r\\n" sent as two
writes (as lettre does), first with Nagle's algorithm on (lettre's default),
then with TCP_NODELAY. Start the sink first:

    PYTHONPATH=crates/masthead/tests/http python3 -m aiosmtpd -n \\
        -l 127.0.0.1:18200 -c smtp_sink.Sink -- /tmp/sink --log-only
    python3 bench/newsletters/nagle.py [PORT]
"""

import socket
import sys
import time

MESSAGES = 40
BODY = (b"Subject: t\r\n\r\n" + b"x" * 70 + b"\r\n") * 300


def messages_per_second(port, nodelay):
    sock = socket.create_connection(("127.0.0.1", port))
    if nodelay:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    replies = sock.makefile("rb")

    def reply():
        while True:
            line = replies.readline()
            if line[3:4] != b"-":
                return line

    reply()
    sock.sendall(b"EHLO bench\r\n")
    reply()
    started = time.time()
    for _ in range(MESSAGES):
        for command in (b"MAIL FROM:<a@b.example>\r\n", b"RCPT TO:<c@d.example>\r\n", b"DATA\r\n"):
            sock.sendall(command)
            reply()
        sock.sendall(BODY)
        sock.sendall(b"\r\n.\r\n")
        reply()
    rate = MESSAGES / (time.time() - started)
    sock.sendall(b"QUIT\r\n")
    sock.close()
    return rate


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 18200
    print(f"Nagle on:    {messages_per_second(port, False):.0f} messages/s on one connection")
    print(f"TCP_NODELAY: {messages_per_second(port, True):.0f} messages/s on one connection")
