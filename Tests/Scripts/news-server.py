#!/usr/bin/env python3
"""A feed server for `make systemd-test`, on 127.0.0.1:PORT.

/feed.xml   RSS with 14 days of hourly news and an AI burst in the last closed hour: one spike.
/other.xml  a quiet second feed, added by the reload check.
/slow.xml   answers after 600 s: a poll of it blocks the daemon's loop (the watchdog check).
"""
import http.server
import sys
import time
from email.utils import formatdate

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
    items = []
    for h in range(14 * 24, 0, -1):
        start = LAST_CLOSED - h * HOUR
        for i in range(6):
            text = "AI models ship" if (h + i) % 17 == 0 else "Bitcoin fees and market wrap"
            items.append((f"n{h}-{i}", text, start + i * 300))
    for i in range(25):
        items.append((f"burst-{i}", f"AI agents rally number {i}", LAST_CLOSED + 60 + i * 60))
    return rss("Chain Ledger", items)


PAGES = {"/feed.xml": feed(), "/other.xml": rss("Quiet", [("q1", "Stablecoin rules", NOW - 7200)])}


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/slow.xml":
            time.sleep(600)
        body = PAGES.get(self.path)
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(body or b"")))
        self.end_headers()
        self.wfile.write(body or b"")

    def log_message(self, *args):
        pass


http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
