"""A real SMTP server for Ordo's end-to-end tests (aiosmtpd), on a free loopback port.

Prints {"port": N} once listening, then one JSON line per accepted message, parsed with Python's
own e-mail library: envelope, Message-ID, subject, the List-Unsubscribe headers, content type,
the text and HTML parts, and the attachments (file name, content type, and the bytes as Latin-1
text, one character per byte, so a test finds a PDF's uncompressed text in them).
Stops when its standard input closes (the test that started it ended).

--fail-data N     answers the first N messages' DATA with 451 (a transient failure).
--port N          listens on port N (default: a free one).
--hold-first      takes the first message (it is reported as received) and never answers its
                  DATA, like a server whose reply is lost when the sender dies.
Recipients at @refused.example are refused at RCPT with 550 (a permanent one).
"""

import argparse
import asyncio
import json
import sys
from email import message_from_bytes, policy

from aiosmtpd.smtp import SMTP


class Handler:
    def __init__(self, fail_data, hold_first):
        self.fail_data = fail_data
        self.hold_first = hold_first

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.endswith("@refused.example"):
            return "550 5.1.1 <%s>: mailbox unavailable" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        if self.fail_data > 0:
            self.fail_data -= 1
            report({"refused": True, "message_id": message["Message-ID"]})
            return "451 4.3.0 try again later"
        hold = self.hold_first
        self.hold_first = False
        text = message.get_body(preferencelist=("plain",))
        html = message.get_body(preferencelist=("html",))
        report(
            {
                "mail_from": envelope.mail_from,
                "rcpt_tos": envelope.rcpt_tos,
                "message_id": message["Message-ID"],
                "from": message["From"],
                "to": message["To"],
                "subject": message["Subject"],
                "list_unsubscribe": message["List-Unsubscribe"],
                "list_unsubscribe_post": message["List-Unsubscribe-Post"],
                "content_type": message.get_content_type(),
                "text": text.get_content() if text else None,
                "html": html.get_content() if html else None,
                "attachments": [
                    {
                        "filename": part.get_filename(),
                        "content_type": part.get_content_type(),
                        "latin1": part.get_payload(decode=True).decode("latin-1"),
                    }
                    for part in message.iter_attachments()
                ],
            }
        )
        if hold:
            await asyncio.sleep(3600)
        return "250 Message accepted for delivery"


def report(record):
    sys.stdout.write(json.dumps(record) + "\n")
    sys.stdout.flush()


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--fail-data", type=int, default=0)
    parser.add_argument("--hold-first", action="store_true")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    loop = asyncio.get_running_loop()
    handler = Handler(args.fail_data, args.hold_first)
    server = await loop.create_server(lambda: SMTP(handler), "127.0.0.1", args.port)
    report({"port": server.sockets[0].getsockname()[1]})
    await loop.run_in_executor(None, sys.stdin.read)
    server.close()


if __name__ == "__main__":
    asyncio.run(main())
