#!/usr/bin/env python3
"""Checks Standard Webhooks deliveries with the reference `standardwebhooks` library.

Reads JSON from stdin: {"secret": "whsec_…", "deliveries": [{"headers": {...}, "body": "…"}, …]}
and prints one line per delivery: "ok <type>" or "bad <reason>". Exits 1 when any is bad.
The timestamp tolerance is the library's own (five minutes), so a stale timestamp fails too.
"""
import json
import sys

try:
    from standardwebhooks.webhooks import Webhook
except ImportError:
    print("missing: pip install standardwebhooks", file=sys.stderr)
    sys.exit(2)

request = json.load(sys.stdin)
hook = Webhook(request["secret"])
failed = False
for delivery in request["deliveries"]:
    try:
        payload = hook.verify(delivery["body"], delivery["headers"])
        print("ok", payload["type"])
    except Exception as error:  # the library raises its own WebhookVerificationError
        failed = True
        print("bad", repr(error))
sys.exit(1 if failed else 0)
