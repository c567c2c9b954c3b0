"""The one place where text from users or files becomes Slack mrkdwn: escaping, links, lengths.

Slack documents three control characters, `&`, `<` and `>`, and nothing else to escape. Escaped
text cannot ping anyone (`<!channel>` becomes `&lt;!channel&gt;`) or smuggle a link.
"""

from __future__ import annotations

import re

ELLIPSIS = "…"
# C0 controls and DEL (except tab and newline), and lone surrogates (JSON can carry them,
# UTF-8 cannot: Slack and SQLite would refuse the text).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")
_SAFE_URL = re.compile(r"^https?://[^\s<>|\"]+$", re.IGNORECASE)
_OPEN_ENTITY = re.compile(r"&[#a-zA-Z0-9]*$")


def clean(text: str) -> str:
    """Drop control characters and lone surrogates (they have no place in a message); keep
    tabs and newlines."""
    return _CONTROL.sub("", text.replace("\r\n", "\n"))


def escape(text: str) -> str:
    """Text shown literally in mrkdwn: control characters dropped, `&`, `<`, `>` escaped."""
    return clean(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    """Slack's escaped message text back to what the person typed."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def is_safe_url(url: str) -> bool:
    """An http(s) URL with nothing that could break out of a `<url|title>` link."""
    return bool(_SAFE_URL.match(url))


def link(url: str, title: str) -> str:
    """A mrkdwn link with an escaped title; just the escaped title when the URL is not http(s)."""
    label = escape(title.replace("\n", " ").strip()) or escape(url)
    if not is_safe_url(url):
        return label
    return f"<{escape(url)}|{label}>"


def slack_length(text: str) -> int:
    """Length as Slack may count it (UTF-16 code units): never less than the character count."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _prefix(text: str, units: int) -> str:
    total = 0
    for i, ch in enumerate(text):
        total += 2 if ord(ch) > 0xFFFF else 1
        if total > units:
            return text[:i]
    return text


def truncate_plain(text: str, limit: int) -> str:
    """Plain text (headers, buttons) cut to `limit`, ending with an ellipsis when cut."""
    text = clean(text)
    if slack_length(text) <= limit:
        return text
    return _prefix(text, limit - 1).rstrip() + ELLIPSIS


def truncate_mrkdwn(text: str, limit: int) -> str:
    """Escaped mrkdwn cut to `limit`, never inside an entity (`&amp;`) or a link (`<url|title>`)."""
    if slack_length(text) <= limit:
        return text
    cut = _prefix(text, limit - 1)
    entity = _OPEN_ENTITY.search(cut)
    if entity:
        cut = cut[: entity.start()]
    if cut.rfind("<") > cut.rfind(">"):
        cut = cut[: cut.rfind("<")]
    return cut.rstrip() + ELLIPSIS


_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,31}$")


def mention(user_id: str) -> str:
    """`<@U…>` for a real-looking Slack user id; anything else shown escaped, pinging nobody."""
    return f"<@{user_id}>" if _USER_ID.match(user_id) else escape(user_id)


def is_user_id(text: str) -> bool:
    """Whether `text` looks like a Slack user id (U… or W…)."""
    return bool(_USER_ID.match(text))
