"""Who may use the dashboard, and proof that a POST came from its own pages (docs/behaviour.md, "The dashboard's
guard").

A browser gets a session cookie, signed with a secret made when the server starts: HttpOnly, SameSite=Strict,
scoped to /_cloudfront-local/. Every form carries a CSRF token derived from the session (HMAC), and a POST must
bring both, with an Origin (when the browser sends one) that is this server's. Another site can neither read
the token nor send the cookie with its own form.

Without --credentials the emulator lets every API caller in, and the dashboard lets every browser in. With
--credentials a session starts signed out: a browser signs in with an access key id and secret access key
from the credentials file, and then sees that key's account only, and may do only what the key's allow-list
lets it (the same IAM-style actions an API call would need).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie

from ..auth import AuthError, Principal

COOKIE = "cloudfront-local-dashboard"
PATH = "/_cloudfront-local/"


@dataclass(frozen=True)
class Session:
    nonce: str
    key_id: str          # "" when signed out (or when no credentials are enforced)
    fresh: bool = False  # made for this request: the answer must set the cookie

    @property
    def cookie(self) -> str:
        return f"{self.nonce}.{base64.urlsafe_b64encode(self.key_id.encode()).decode()}"


class Guard:
    def __init__(self, authenticator, default_account: str):
        self._secret = secrets.token_bytes(32)
        self.auth = authenticator
        self.default_account = default_account

    @property
    def enforcing(self) -> bool:
        return self.auth.enforcing

    def _mac(self, purpose: str, text: str) -> str:
        return hmac.new(self._secret, f"{purpose}.{text}".encode(), hashlib.sha256).hexdigest()[:40]

    def session(self, headers: dict[str, str]) -> Session:
        """The browser's session from its cookie, or a new signed-out one."""
        raw = _cookie(headers.get("cookie", ""))
        if raw:
            body, _, mac = raw.rpartition(".")
            if body and hmac.compare_digest(mac, self._mac("session", body)):
                nonce, _, key = body.partition(".")
                try:
                    key_id = base64.urlsafe_b64decode(key.encode()).decode()
                except (ValueError, UnicodeDecodeError):
                    key_id = None
                if key_id is not None:
                    return Session(nonce, key_id)
        return Session(secrets.token_urlsafe(18), "", fresh=True)

    def signed_in(self, key_id: str) -> Session:
        """A new session (a new nonce, so a token seen before signing in is worth nothing after)."""
        return Session(secrets.token_urlsafe(18), key_id, fresh=True)

    def set_cookie(self, session: Session) -> str:
        value = f"{session.cookie}.{self._mac('session', session.cookie)}"
        return f"{COOKIE}={value}; Path={PATH}; HttpOnly; SameSite=Strict"

    def csrf(self, session: Session) -> str:
        return self._mac("csrf", session.cookie)

    def forged(self, session: Session, form: dict, headers: dict[str, str]) -> str | None:
        """Why a POST must be refused, or None: a missing or wrong token, or another site's Origin."""
        if session.fresh:
            return "the session cookie is missing: open the page again and resend the form"
        token = form.get("csrf", "")
        if not hmac.compare_digest(token, self.csrf(session)):
            return "the form's CSRF token does not match this session: open the page again"
        origin = headers.get("origin")
        host = headers.get("host", "")
        if origin is not None and origin not in (f"http://{host}", f"https://{host}"):
            return "the request comes from another site"
        if headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
            return "the request comes from another site"
        return None

    def principal(self, session: Session) -> Principal | None:
        """Who the session acts as: without credentials everyone, with them the key it signed in with."""
        if not self.enforcing:
            return Principal(self.default_account, None, None)
        key = self.auth.key(session.key_id)
        return Principal(key.account, session.key_id, key.allow) if key is not None else None

    def sign_in(self, key_id: str, secret: str) -> bool:
        key = self.auth.key(key_id)
        return key is not None and hmac.compare_digest(key.secret.encode(), secret.encode())

    def may(self, principal: Principal, action: str, resource: str = "*") -> str | None:
        """None when the principal may take `action`, else AWS's AccessDenied message."""
        try:
            self.auth.authorize(principal, action, resource)
        except AuthError as error:
            return error.message
        return None


def _cookie(header: str) -> str:
    if COOKIE not in header:
        return ""
    try:
        jar = SimpleCookie()
        jar.load(header)
    except CookieError:
        return ""
    found = jar.get(COOKIE)
    return found.value if found is not None else ""
