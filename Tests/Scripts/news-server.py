#!/usr/bin/env python3
"""Feeds and a webhook receiver for `make systemd-test`, on 127.0.0.1:PORT.

Usage: news-server.py PORT HOOK_LOG WHSEC_SECRET

GET  /feed.xml   RSS: 14 days of hourly news, one story in six about AI, then 20 more AI stories
                 in the last closed hour: one spike (a share of 21/26 against a baseline of 1/6).
GET  /other.xml  a quiet second feed, added by the reload check.
POST /hook       a Standard Webhooks receiver: checks webhook-signature (v1, HMAC-SHA256 over
                 "id.timestamp.body", keyed with the base64 after "whsec_") and appends one JSON
                 line per delivery to HOOK_LOG: {"id", "type", "signed", "valid"}. Answers 204.
"""
import base64
import hashlib
import hmac
import http.server
import json
import sys
import time
from email.utils import formatdate

PORT, HOOK_LOG, SECRET = int(sys.argv[1]), sys.argv[2], sys.argv[3]
KEY = base64.b64decode(SECRET.removeprefix("whsec_"))
NOW = int(time.time())
HOUR = 3600
LAST_CLOSED = NOW - NOW % HOUR - HOUR


def rss(title, items):
    out = [f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>']
    for guid, text, when in items:
        out.append(f"<item><guid>{guid}</guid><title>{text}</title><link>http://news.test/{guid}</link>"
                   f"<pubDate>{formatdate(when, usegmt=True)}</pubDate></item>")
    out.append("</channel></rss>")
    return "".join(out).encode()


def feed():
    # Every title differs: the ingester takes one long title seen twice within 48 h for one story.
    items = []
    for h in range(14 * 24, -1, -1):
        start = LAST_CLOSED - h * HOUR
        for i in range(6):
            text = "AI models ship to exchanges" if i == 5 else "Bitcoin fees and market wrap"
            items.append((f"n{h}-{i}", f"{text}, report {h}-{i}", start + i * 600))
    for i in range(20):
        items.append((f"burst-{i}", f"AI agents rally, number {i}", LAST_CLOSED + 90 + i * 150))
    return rss("Chain Ledger", items)


PAGES = {"/feed.xml": feed(), "/other.xml": rss("Quiet", [("q1", "Stablecoin rules", NOW - 7200)])}


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = PAGES.get(self.path)
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(body or b"")))
        self.end_headers()
        self.wfile.write(body or b"")

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.path != "/hook":
            self.send_response(404)
            self.end_headers()
            return
        event_id, timestamp = self.headers.get("webhook-id", ""), self.headers.get("webhook-timestamp", "")
        signatures = self.headers.get("webhook-signature", "")
        expected = base64.b64encode(hmac.new(KEY, f"{event_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()).decode()
        valid = any(s.startswith("v1,") and hmac.compare_digest(s[3:], expected) for s in signatures.split())
        try:
            kind = json.loads(body).get("type")
        except ValueError:
            kind = None
        with open(HOOK_LOG, "a") as log:
            log.write(json.dumps({"id": event_id, "type": kind, "signed": bool(signatures), "valid": valid}) + "\n")
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


http.server.ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
