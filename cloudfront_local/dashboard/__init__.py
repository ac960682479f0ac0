"""The dashboard: server-rendered pages at /_cloudfront-local/ of what the emulator holds and what its edge did.

Pages are Jinja2 templates with autoescaping (every value a resource holds is text on the page, never markup);
the one script is htmx, vendored and pinned in static/, for the live request list and the TestFunction
console, and every page works without it. GET never changes anything; every change is a POST that carries
the session's CSRF token (guard.py). Jinja2 loads with the first page, so a server used for its API only
never pays for it.
"""
from __future__ import annotations

import time
import urllib.parse
from pathlib import Path

from .. import urlencoded
from ..protocol import Response
from ..service.common.errors import ServiceError
from . import catalogue, views
from .guard import Guard, Session

HERE = Path(__file__).parent
ROOT = "/_cloudfront-local/"
UI = ROOT + "ui/"
HTMX = "htmx-2.0.11.min.js"
STATIC = {HTMX: "text/javascript; charset=utf-8", "dashboard.css": "text/css; charset=utf-8",
          "htmx-LICENSE.txt": "text/plain; charset=utf-8"}
# No inline script or style can run, whatever a resource holds: only this server's own files.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                               "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin", "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
}
MAX_FORM_FIELDS = 20


class Dashboard:
    def __init__(self, application):
        self.app = application
        self.guard = Guard(application.auth, application.settings.default_account)
        self._templates = None

    @property
    def templates(self):
        if self._templates is None:
            import jinja2

            self._templates = jinja2.Environment(
                loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True,
                trim_blocks=True, lstrip_blocks=True)
        return self._templates

    def handle(self, method: str, path: str, query: str, headers: dict[str, str], body: bytes | None) -> Response:
        """One browser request for a path under /_cloudfront-local/ (the root, or ui/…)."""
        if method == "HEAD":
            response = self.handle("GET", path, query, headers, body)
            response.body = b""
            return response
        rest = path[len(UI):] if path.startswith(UI) else ""
        if rest.startswith("static/"):
            return _static(rest[len("static/"):])
        session = self.guard.session(headers)
        form = _form(body) if method == "POST" else {}
        if form is None:
            return self._page(session, "error.html", {"message": "The form could not be read."}, 400)
        if method == "POST":
            forged = self.guard.forged(session, form, headers)
            if forged is not None:
                return self._page(session, "error.html", {"message": f"Refused: {forged}."}, 403)
        elif method != "GET":
            return self._page(session, "error.html", {"message": "The dashboard answers GET and POST only."}, 405)
        if rest == "login":
            return self._login(method, session, form, query)
        if rest == "logout" and method == "POST":
            return _redirect(UI + "login", self.guard.set_cookie(self.guard.signed_in("")))
        principal = self.guard.principal(session)
        if principal is None:
            return self._page(session, "login.html", {"next": path + ("?" + query if query else ""),
                                                      "failed": False}, 401)
        try:
            return self._route(method, rest, _query(query), form, headers, session, principal)
        except ServiceError as error:
            # The status the API would answer with, from the model's error shape.
            status = self.app.codec.encode_error(error.code, error.message, "", error.status).status
            return self._page(session, "error.html", {"message": f"{error.code}: {error.message}"}, status)

    # -- pages ---------------------------------------------------------------------------------------------------
    def _route(self, method, rest, query, form, headers, session, principal) -> Response:
        parts = [urllib.parse.unquote(p) for p in rest.split("/")] if rest else []
        port = _port(headers)
        now = time.time()
        accounts = [principal.account] if self.guard.enforcing else None
        if not parts:
            data = self._read(lambda tx: views.home(tx, accounts))
            return self._page(session, "home.html", data)
        if parts == ["requests"]:
            denied = self.guard.may(principal, "cloudfront-local:ListRequests")
            if denied:
                return self._denied(session, denied)
            filters = {k: query[k] for k in ("distribution", "tenant", "result") if query.get(k)}
            records = self.app.edge_requests(limit=200, **filters)
            if accounts is not None:  # another account's viewers are not this session's to see
                records = self._read(lambda tx: [r for r in records if r["distribution"] and tx.get(
                    "distribution", principal.account, r["distribution"]) is not None])
            template = "requests_rows.html" if query.get("fragment") else "requests.html"
            return self._page(session, template, {"requests": records, "filters": filters})
        if parts[0] == "dns":
            return self._dns(method, parts[1:], form, session, principal)
        if parts[0] == "geo":
            return self._geo(method, parts[1:], form, session, principal)
        if parts[0] != "a" or len(parts) < 3:
            return self._page(session, "error.html", {"message": "There is no such page."}, 404)
        account, kind = parts[1], parts[2]
        if accounts is not None and account not in accounts:
            return self._denied(session, f"This session signed in for account {principal.account}, not {account}.")
        if len(parts) == 3:
            denied = self.guard.may(principal, "cloudfront-local:ViewDashboard")
            if denied:
                return self._denied(session, denied)
            after = int(query["after"]) if query.get("after", "").isdigit() and len(query["after"]) < 19 else 0
            data = self._read(lambda tx: views.listing(tx, account, kind, after, now))
            return self._page(session, "list.html", data)
        ident, action = parts[3], parts[4:]
        if action and method == "POST":
            return self._act(kind, account, ident, action, form, session, principal, port)
        if action == ["requests"] and kind == "distribution":
            mine = self._read(lambda tx: tx.get(kind, account, ident) is not None)
            records = self.app.edge_requests(distribution=ident, limit=50) if mine else []
            return self._page(session, "requests_rows.html", {"requests": records})
        if action:
            return self._page(session, "error.html", {"message": "There is no such page."}, 404)
        denied = self.guard.may(principal, "cloudfront-local:ViewDashboard")
        if denied:
            return self._denied(session, denied)
        return self._detail(session, account, kind, ident, now, port, {"notice": query.get("done", "")})

    def _detail(self, session, account, kind, ident, now, port, extra: dict, status: int = 200) -> Response:
        def read(tx):
            record = views.find(tx, account, kind, ident)
            return None if record is None else views.detail(self.app, tx, account, kind, record, now, port)
        data = self._read(read)
        if data is None:
            return self._page(session, "error.html", {"message": f"No {kind} {ident} in account {account}."}, 404)
        return self._page(session, "detail.html", {**data, "test_result": None, "event": "", "stage": "DEVELOPMENT",
                                                   **extra}, status)

    def _act(self, kind, account, ident, action, form, session, principal, port) -> Response:
        here = f"{UI}a/{_q(account)}/{_q(kind)}/{_q(ident)}"
        if kind == "distribution" and action == ["purge"]:
            arn = f"arn:aws:cloudfront::{account}:distribution/{ident}"
            denied = self.guard.may(principal, "cloudfront:CreateInvalidation", arn)
            if denied:
                return self._denied(session, denied)
            path = form.get("path") or "/*"
            invalidation = views.purge(self.app, account, ident, path)
            notice = f"Invalidation {invalidation['Id']} of {path} created"
            return _redirect(here + "?" + urllib.parse.urlencode({"done": notice}) + "#cache")
        if kind == "function" and action == ["test"]:
            arn = f"arn:aws:cloudfront::{account}:function/{ident}"
            denied = self.guard.may(principal, "cloudfront:TestFunction", arn)
            if denied:
                return self._denied(session, denied)
            stage = form.get("stage") if form.get("stage") in ("DEVELOPMENT", "LIVE") else "DEVELOPMENT"
            event = form.get("event", "")
            try:
                result = views.test_function(self.app, account, ident, stage, event.encode())
                failed = ""
            except ServiceError as error:
                result, failed = None, f"{error.code}: {error.message}"
            extra = {"test_result": result, "test_failed": failed, "event": event, "stage": stage, "notice": ""}
            return self._detail(session, account, kind, ident, time.time(), port, extra)
        return self._page(session, "error.html", {"message": "There is no such action."}, 404)

    def _dns(self, method, parts, form, session, principal) -> Response:
        from ..service.multitenant import dns

        action = "cloudfront-local:ListDnsRecords" if method == "GET" else "cloudfront-local:ChangeDnsRecords"
        denied = self.guard.may(principal, action)
        if denied:
            return self._denied(session, denied)
        problem = ""
        if method == "POST":
            try:
                if parts == ["delete"]:
                    self.app.remove_dns_records(form.get("name", ""))
                    return _redirect(UI + "dns?" + urllib.parse.urlencode({"done": f"Removed {form.get('name', '')}"}))
                if not parts:
                    self.app.add_dns_record(form.get("name", ""), form.get("type", ""), form.get("value", ""))
                    return _redirect(UI + "dns?" + urllib.parse.urlencode({"done": f"Added {form.get('name', '')}"}))
            except dns.BadRecord as error:
                problem = error.message
        return self._page(session, "dns.html", {"records": self.app.dns_records(), "problem": problem,
                                                "form": form}, 400 if problem else 200)

    def _geo(self, method, parts, form, session, principal) -> Response:
        from ..edge import geo

        denied = self.guard.may(principal, "cloudfront-local:ListGeo" if method == "GET" else "cloudfront-local:ChangeGeo")
        if denied:
            return self._denied(session, denied)
        problem = ""
        if method == "POST":
            if parts == ["clear"]:
                self.app.clear_geo()
                return _redirect(UI + "geo?done=Cleared")
            try:
                self.app.add_geo(form.get("cidr", ""), form.get("country", ""))
                return _redirect(UI + "geo?" + urllib.parse.urlencode({"done": f"Placed {form.get('cidr', '')}"}))
            except geo.BadEntry as error:
                problem = error.message
        return self._page(session, "geo.html", {"entries": self.app.geo_entries(), "problem": problem, "form": form},
                          400 if problem else 200)

    def _login(self, method, session, form, query) -> Response:
        if not self.guard.enforcing:
            return _redirect(ROOT)
        target = form.get("next") or _query(query).get("next") or ROOT
        if not target.startswith(ROOT) or target.startswith(ROOT + "/") or "\\" in target:
            target = ROOT  # never a redirect off this server
        if method == "POST":
            if self.guard.sign_in(form.get("access_key_id", ""), form.get("secret_access_key", "")):
                return _redirect(target, self.guard.set_cookie(self.guard.signed_in(form["access_key_id"])))
            return self._page(session, "login.html", {"next": target, "failed": True}, 401)
        return self._page(session, "login.html", {"next": target, "failed": False})

    def _read(self, work):
        """A page's reading, the API's way (Application.transact): run again should it lose a race."""
        return self.app.transact(work, writes=False)

    def _denied(self, session, message: str) -> Response:
        return self._page(session, "error.html", {"message": message}, 403)

    def _page(self, session: Session, template: str, data: dict, status: int = 200) -> Response:
        principal = self.guard.principal(session)
        html = self.templates.get_template(template).render(
            ui=UI, root=ROOT, htmx=HTMX, csrf=self.guard.csrf(session), q=_q, tree=_tree_items,
            signed_in=principal.access_key_id if principal and self.guard.enforcing else "",
            enforcing=self.guard.enforcing, **data)
        headers = {"Content-Type": "text/html; charset=utf-8", **SECURITY_HEADERS}
        if session.fresh:
            headers["Set-Cookie"] = self.guard.set_cookie(session)
        return Response(status, headers, html.encode())


def _redirect(location: str, cookie: str | None = None) -> Response:
    """Post/Redirect/Get: a change answers 303, so reloading the page does not repeat it."""
    headers = {"Location": location, **SECURITY_HEADERS}
    if cookie:
        headers["Set-Cookie"] = cookie
    return Response(303, headers)


def _static(name: str) -> Response:
    kind = STATIC.get(name)
    if kind is None:
        return Response(404, {"Content-Type": "text/plain"}, b"no such file")
    headers = {"Content-Type": kind, "X-Content-Type-Options": "nosniff",
               "Cache-Control": "public, max-age=86400" if name == HTMX else "no-cache"}
    return Response(200, headers, (HERE / "static" / name).read_bytes())


def _form(body: bytes | None) -> dict | None:
    """A urlencoded form, each field once; None for a body that is not one."""
    try:
        return urlencoded.fields((body or b"").decode("utf-8"), MAX_FORM_FIELDS)
    except ValueError:  # UnicodeDecodeError is a ValueError
        return None


def _query(query: str) -> dict:
    """A page's query; a malformed one is no query (every page works without one)."""
    try:
        return urlencoded.fields(query, MAX_FORM_FIELDS)
    except ValueError:
        return {}


def _q(text: str) -> str:
    return urllib.parse.quote(str(text), safe="")


def _port(headers: dict[str, str]) -> str:
    host = headers.get("host", "")
    port = host.rsplit(":", 1)[1] if ":" in host and not host.endswith("]") else ""
    return port if port.isdigit() else ""


def _tree_items(value):
    """A document's members as (name, value, is_branch) for the template's tree: dicts and lists branch."""
    if isinstance(value, dict):
        return [(str(k), v, isinstance(v, (dict, list)) and bool(v)) for k, v in value.items()]
    if isinstance(value, list):
        return [(f"[{n}]", v, isinstance(v, (dict, list)) and bool(v)) for n, v in enumerate(value)]
    return []

