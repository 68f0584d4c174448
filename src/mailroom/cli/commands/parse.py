"""`mailroom parse FILE... [--json]`: what integration sees in a raw mail, without storing."""

import json
from pathlib import Path

from mailroom.pipeline.check import check
from mailroom.pipeline.integrate import parse_one
from mailroom.pipeline.outcomes import Ignored, NotConforming


def register(subparsers) -> None:
    p = subparsers.add_parser("parse", help="show what integration sees in raw mail files")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--json", action="store_true", help="one JSON object per line and file")
    p.set_defaults(handler=handle)


def handle(args) -> int:
    worst = 0
    for name in args.files:
        result = parse_file(Path(name))
        worst = max(worst, 0 if result["ok"] else 1)
        if args.json:
            print(json.dumps(result, ensure_ascii=False), flush=True)
        else:
            _print_human(result)
    return worst


def parse_file(path: Path) -> dict:
    result = {"file": str(path), "ok": False, "error_code": "", "error_text": ""}
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return {**result, "error_code": "unreadable", "error_text": f"cannot read: {exc.strerror}"}
    parsed = parse_one(raw)  # exactly what the worker sees
    if isinstance(parsed, NotConforming):
        return {**result, "error_code": parsed.code, "error_text": parsed.text}
    result.update(parsed.to_json())
    try:
        check(parsed, envelope_sender="")
        result["ok"] = True
    except NotConforming as exc:
        result.update(error_code=exc.code, error_text=exc.text)
    except Ignored as exc:
        result.update(ok=True, ignored=exc.reason)
    return result


def _print_human(r: dict) -> None:
    print(f"== {r['file']}: {'ok' if r['ok'] else 'error ' + r['error_code']}")
    if r["error_text"]:
        print(f"   {r['error_text']}")
    for key in ("from_email", "from_name", "to", "cc", "subject", "message_id", "date"):
        if r.get(key):
            print(f"   {key}: {r[key]}")
    for a in r.get("attachments", []):
        print(f"   attachment: {a['safe_name']} ({a['content_type']}, {a['size']} bytes)")
    for d in r.get("defects", []):
        print(f"   defect: {d}")
