#!/usr/bin/env python3
"""The interop rig's stand-in for an OAuth 2.0 provider's token introspection endpoint (RFC 7662).

Dovecot's oauth2 passdb (templates/oauth2.conf.in) POSTs each bearer token that reaches Postfix
through XOAUTH2 or OAUTHBEARER on 127.0.0.1:2588 here, as the form field "token". A token
"valid:USER:anything" is active and belongs to USER; every other token ("expired:...", garbage) is
inactive, as an expired one would be. Listens on 127.0.0.1 only; start.sh starts it and stop.sh
stops it through the pid file.

usage: oauth_introspect.py PORT PIDFILE
"""
import json
import os
import sys
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def introspect(token):
    """The RFC 7662 answer for a token; "active" is a string because oauth2.conf's active_value is."""
    parts = token.split(":", 2)
    if len(parts) == 3 and parts[0] == "valid":
        return {"active": "true", "username": parts[1]}
    return {"active": "false"}


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length).decode("utf-8", "replace")
        token = urllib.parse.parse_qs(body).get("token", [""])[0]
        data = json.dumps(introspect(token)).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        # Tokens are credentials: never logged.
        pass


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: oauth_introspect.py PORT PIDFILE")
    server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
    server.daemon_threads = True
    # Written once the port is bound, so that a pid file always names a listening stand-in.
    with open(sys.argv[2], "w") as f:
        f.write(str(os.getpid()))
    server.serve_forever()


if __name__ == "__main__":
    main()
