#!/usr/bin/env python3
"""A real SMTP server for Vakt's tests (aiosmtpd), started by crates/vakt-web/tests/http/smtp.rs.

Usage: smtp_server.py OUTDIR. Listens on a free loopback port and prints it as the first line of stdout.
Every message it accepts is written to OUTDIR/NNNNNN.json (written to a temporary name, then renamed, so
a reader never sees half a file) before the server answers 250, so once the client's send returned the
file is there. Recipients starting with `reject-` are refused with 550 (a permanent failure).
Exits when its stdin closes (the test process ended).
"""
import asyncio
import email
import json
import os
import sys
from email import policy

from aiosmtpd.smtp import SMTP


class Handler:
    def __init__(self, outdir):
        self.outdir = outdir
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower().startswith("reject-"):
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8")
        msg = email.message_from_bytes(raw, policy=policy.default)
        text = msg.get_body(preferencelist=("plain",))
        html = msg.get_body(preferencelist=("html",))
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_to": list(envelope.rcpt_tos),
            "from": str(msg.get("From", "")),
            "to": str(msg.get("To", "")),
            "subject": str(msg.get("Subject", "")),
            "content_language": str(msg.get("Content-Language", "")),
            "text": text.get_content() if text is not None else "",
            "html": html.get_content() if html is not None else None,
        }
        self.count += 1
        name = os.path.join(self.outdir, "%06d.json" % self.count)
        with open(name + ".tmp", "w", encoding="utf-8") as f:
            json.dump(record, f, ensure_ascii=False)
        os.rename(name + ".tmp", name)
        return "250 OK"


async def main():
    outdir = sys.argv[1]
    loop = asyncio.get_running_loop()
    handler = Handler(outdir)
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="vakt-test-smtp", enable_SMTPUTF8=True, decode_data=False),
        "127.0.0.1",
        0,
    )
    port = server.sockets[0].getsockname()[1]
    print(port, flush=True)
    await loop.run_in_executor(None, sys.stdin.read)
    server.close()


if __name__ == "__main__":
    asyncio.run(main())
