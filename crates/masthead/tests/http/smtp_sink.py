"""An aiosmtpd handler for Masthead's tests and benchmark: a real SMTP server
on loopback that keeps what it accepts.

    PYTHONPATH=DIR python3 -m aiosmtpd -n -l 127.0.0.1:PORT -c smtp_sink.Sink -- FOLDER [--log-only]

(the `--` keeps aiosmtpd from reading `--log-only` as an option of its own).

Each message is written to FOLDER as NNNNNNNN.eml, exactly the bytes the
client sent (written under a dot name, then renamed, so a reader never sees
half a file). With --log-only the message is discarded and only its
recipients are appended to FOLDER/recipients.log, one line each (the
benchmark counts messages and duplicates from it).
"""

import itertools
import os


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
