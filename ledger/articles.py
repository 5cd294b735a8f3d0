"""Reading an article: plain text, an HTML file or a URL, with its metadata.

HTML and URLs go through trafilatura (the `html` extra), imported only when needed;
plain text is read as it is. Nothing here knows about forecasts.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ledger.errors import LedgerError

MAX_BYTES = 20_000_000


@dataclass
class Article:
    text: str
    title: str | None = None
    published: date | None = None
    outlet: str | None = None
    url: str | None = None


def read_article(source: str) -> Article:
    """An article from a path, a URL or '-' (standard input)."""
    if re.match(r"^https?://", source):
        return _from_html(_fetch(source), source)
    if source == "-":
        raw = sys.stdin.buffer.read(MAX_BYTES + 1)
    else:
        path = Path(source)
        if not path.is_file():
            raise LedgerError(f"no such file: {source}")
        raw = path.read_bytes()[: MAX_BYTES + 1]
    if len(raw) > MAX_BYTES:
        raise LedgerError(f"{source}: larger than {MAX_BYTES // 1_000_000} MB")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LedgerError(f"{source}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    if re.match(r"\s*(?:<!doctype html|<html|<head|<body|<article)", text[:500], re.IGNORECASE):
        return _from_html(text, None)
    return Article(text=text)


def _fetch(url: str) -> str:
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, headers={"User-Agent": "forecast-ledger/0.1 (+article extraction)"})
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            raw = response.read(MAX_BYTES + 1)
            charset = response.headers.get_content_charset() or "utf-8"
    except urllib.error.HTTPError as exc:
        raise LedgerError(f"cannot fetch {url}: HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise LedgerError(f"cannot fetch {url}: {reason}") from None
    if len(raw) > MAX_BYTES:
        raise LedgerError(f"{url}: larger than {MAX_BYTES // 1_000_000} MB")
    return raw.decode(charset, errors="replace")


def _from_html(html: str, url: str | None) -> Article:
    try:
        import trafilatura
    except ImportError:
        raise LedgerError("reading HTML needs trafilatura: pip install 'forecast-ledger[html]'") from None
    document = trafilatura.bare_extraction(html, url=url, with_metadata=True)
    if document is None:
        raise LedgerError("no article text found in the page")
    data = document.as_dict() if hasattr(document, "as_dict") else dict(document)
    text = data.get("text") or ""
    if not text.strip():
        raise LedgerError("no article text found in the page")
    title = data.get("title")
    body = "\n\n".join(line for line in text.splitlines() if line.strip())
    if title and not body.startswith(title):
        body = f"{title}\n\n{body}"
    published = None
    if data.get("date"):
        try:
            published = date.fromisoformat(str(data["date"])[:10])
        except ValueError:
            published = None
    return Article(text=body, title=title, published=published, outlet=data.get("sitename") or None,
                   url=data.get("url") or url)
