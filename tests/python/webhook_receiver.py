"""A channel's webhook endpoint for Ordo's end-to-end tests, on a free loopback port.

Every POST is checked with the `standardwebhooks` package from PyPI (an implementation of the
Standard Webhooks signature independent of Ordo's): headers `webhook-id`, `webhook-timestamp`,
`webhook-signature`, secret given as `whsec_…`. Prints {"port": N} once listening, then one JSON
line per request: {"id", "timestamp", "verified", "error", "status", "payload"}.
Stops when its standard input closes (the test that started it ended).

--secret S   the channel's signing secret (whsec_…), required
--port N     listen on port N (default: a free one)
--fail N     answer the first N requests with 503 (after verifying them)
A request whose signature does not verify is answered 401.
"""

import argparse
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook

lock = threading.Lock()


def report(record):
    with lock:
        sys.stdout.write(json.dumps(record) + "\n")
        sys.stdout.flush()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--secret", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--fail", type=int, default=0)
    args = parser.parse_args()
    verifier = Webhook(args.secret)
    state = {"fail": args.fail}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length)
            headers = {k.lower(): v for k, v in self.headers.items()}
            record = {
                "id": headers.get("webhook-id"),
                "timestamp": headers.get("webhook-timestamp"),
                "verified": False,
                "error": None,
                "payload": None,
            }
            try:
                record["payload"] = verifier.verify(body, headers)
                record["verified"] = True
            except Exception as e:  # the library's WebhookVerificationError, or a bad body
                record["error"] = "%s: %s" % (type(e).__name__, e)
            if not record["verified"]:
                status = 401
            else:
                with lock:
                    failing = state["fail"] > 0
                    if failing:
                        state["fail"] -= 1
                status = 503 if failing else 204
            record["status"] = status
            report(record)
            self.send_response(status)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    report({"port": server.server_address[1]})
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sys.stdin.read()  # until the test closes it
    server.shutdown()


if __name__ == "__main__":
    main()
