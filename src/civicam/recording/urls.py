"""Stream URLs: scheme allowlist, credentials split off, redaction (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import SplitResult, quote, unquote, urlsplit, urlunsplit

from civicam.config.recording import ALLOWED_SCHEMES


class StreamUrlError(ValueError):
    """A stream URL that civicam will not open; the message never holds credentials."""


@dataclass(frozen=True)
class Credentials:
    """A stream user name and password; ``repr`` hides the password."""

    username: str | None
    password: str | None

    def __repr__(self) -> str:
        return f"Credentials(username={self.username!r}, password=***)"


def _parse(url: str) -> SplitResult:
    if any(ch in url for ch in "\r\n\t \x00"):
        raise StreamUrlError("stream URL contains whitespace or control characters")
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises on a malformed port
    except ValueError as exc:
        raise StreamUrlError("stream URL is malformed") from exc
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        raise StreamUrlError(f"stream URL scheme must be one of {', '.join(ALLOWED_SCHEMES)}")
    if parts.scheme.lower() == "file":
        if parts.netloc not in ("", "localhost") or not parts.path.startswith("/"):
            raise StreamUrlError("file URL must be file:///absolute/path")
    elif not parts.hostname:
        raise StreamUrlError("stream URL has no host")
    return parts


def split_credentials(url: str) -> tuple[str, Credentials | None]:
    """``url`` without user info, and the credentials it carried (if any)."""
    parts = _parse(url)
    if parts.username is None and parts.password is None:
        return url, None
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host if parts.port is None else f"{host}:{parts.port}"
    clean = urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    user = unquote(parts.username) if parts.username else None
    pw = unquote(parts.password) if parts.password is not None else None
    return clean, Credentials(user, pw)


def validate_url(url: str) -> str:
    """Return a credential-free, allowlisted URL or raise :class:`StreamUrlError`."""
    clean, creds = split_credentials(url)
    if creds is not None:
        raise StreamUrlError("stream URL must not carry credentials here")
    return clean


def with_credentials(url: str, creds: Credentials | None) -> str:
    """The URL handed to FFmpeg: credentials inserted (percent-encoded)."""
    parts = _parse(url)
    if creds is None or not creds.username:
        return url
    userinfo = quote(creds.username, safe="")
    if creds.password is not None:
        userinfo += ":" + quote(creds.password, safe="")
    return urlunsplit((parts.scheme, f"{userinfo}@{parts.netloc}", *parts[2:]))


def scrub(text: str, creds: Credentials | None) -> str:
    """``text`` with every credential string (raw and encoded) replaced by ``***``."""
    if creds is None:
        return text
    for secret in (creds.password, creds.username):
        if secret:
            for form in {secret, quote(secret, safe="")}:
                text = text.replace(form, "***")
    return text


def file_path(url: str) -> str:
    """The local path of a ``file://`` URL."""
    parts = _parse(url)
    if parts.scheme.lower() != "file":
        raise StreamUrlError("not a file URL")
    return unquote(parts.path)
