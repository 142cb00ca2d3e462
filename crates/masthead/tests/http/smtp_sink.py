"""An aiosmtpd handler for Masthead's tests and benchmark: a real SMTP server
on loopback that keeps what it accepts.

    PYTHONPATH=DIR python3 -m aiosmtpd -n -l 127.0.0.1:PORT -c smtp_sink.Sink -- FOLDER [--log-only]

(the `--` keeps aiosmtpd from reading `--log-only` as an option of its own).

Each message is written to FOLDER as NNNNNNNN.eml, exactly the bytes the
client sent (written under a dot name, then renamed, so a reader never sees
half a file). With --log-only the message is discarded and only its
recipients are appended to FOLDER/recipients.log, one line each (the
benchmark counts messages and duplicates from it).

The benchmark runs it directly, as several processes sharing one port
(SO_REUSEPORT: the kernel spreads the connections), so that the sink is
not the limit of what it measures:

    python3 smtp_sink.py HOST:PORT PROCESSES FOLDER

Process K logs recipients to FOLDER/K/recipients.log. Stopped (SIGTERM),
it writes the CPU seconds its processes used to FOLDER/cpu-seconds.
"""

import asyncio
import itertools
import os
import resource
import signal
import sys


class Sink:
    def __init__(self, folder, log_only=False):
        self.folder = folder
        self.log_only = log_only
        self.numbers = itertools.count()
        os.makedirs(folder, exist_ok=True)
        self.log = open(os.path.join(folder, "recipients.log"), "a", buffering=1) if log_only else None

    @classmethod
    def from_cli(cls, parser, *args):
        if not args or len(args) > 2 or (len(args) == 2 and args[1] != "--log-only"):
            parser.error("smtp_sink.Sink takes FOLDER [--log-only]")
        return cls(args[0], len(args) == 2)

    async def handle_DATA(self, server, session, envelope):
        if self.log_only:
            self.log.write("".join(rcpt + "\n" for rcpt in envelope.rcpt_tos))
            return "250 OK"
        number = next(self.numbers)
        hidden = os.path.join(self.folder, f".{number:08}.tmp")
        with open(hidden, "wb") as out:
            out.write(envelope.original_content)
        os.rename(hidden, os.path.join(self.folder, f"{number:08}.eml"))
        return "250 OK"


def serve(host, port, folder):
    """One sink process: log-only, on a port other processes may share."""
    from aiosmtpd.smtp import SMTP

    async def main():
        handler = Sink(folder, log_only=True)
        loop = asyncio.get_running_loop()
        server = await loop.create_server(lambda: SMTP(handler), host, port, reuse_port=True)
        async with server:
            await server.serve_forever()

    asyncio.run(main())


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit("usage: python3 smtp_sink.py HOST:PORT PROCESSES FOLDER")
    host, port = sys.argv[1].rsplit(":", 1)
    folder = sys.argv[3]
    children = []
    for k in range(int(sys.argv[2])):
        pid = os.fork()
        if pid == 0:
            signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
            serve(host, int(port), os.path.join(folder, str(k)))
            os._exit(0)
        children.append(pid)
    signal.signal(signal.SIGTERM, lambda *_: [os.kill(pid, signal.SIGTERM) for pid in children])
    for pid in children:
        os.waitpid(pid, 0)
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(os.path.join(folder, "cpu-seconds"), "w") as out:
        out.write(f"{used.ru_utime + used.ru_stime:.1f}\n")
