"""HTTP clients for tfe-server: the JSON:API helper, the admin client for /_tfe/, tenant management.

Standard library only (urllib). Every request bypasses HTTP proxies: tfe-server listens on loopback.
"""
import gzip
import io
import json
import tarfile
import time
import urllib.error
import urllib.parse
import urllib.request

__all__ = [
    "ApiError",
    "Response",
    "JsonApiClient",
    "AdminClient",
    "TenantClient",
    "tarball",
    "JSONAPI_CONTENT_TYPE",
]

#: The media type of the TFE API's requests and responses.
JSONAPI_CONTENT_TYPE = "application/vnd.api+json"

_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class Response:
    """One HTTP answer: `status`, `headers` (an email.message.Message) and the raw `body` bytes."""

    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def text(self):
        """The body decoded as UTF-8 (undecodable bytes replaced)."""
        return self.body.decode("utf-8", "replace")

    def json(self):
        """The body parsed as JSON; None when the body is empty."""
        if not self.body:
            return None
        return json.loads(self.body)

    def __repr__(self):
        return f"<Response {self.status} {len(self.body)} bytes>"


class ApiError(Exception):
    """An HTTP answer other than the one expected, usually a JSON:API error document.

    Attributes: `status` (int), `errors` (the list of JSON:API error objects, each a dict with
    "status", "title", "detail", ...; empty when the body was not an error document), `body` (the
    parsed JSON, or the text when the body is not JSON), `method` and `url` of the request, and
    `response` (the `Response`).
    """

    def __init__(self, method, url, response):
        self.method = method
        self.url = url
        self.response = response
        self.status = response.status
        try:
            self.body = response.json()
        except ValueError:
            self.body = response.text
        errors = self.body.get("errors") if isinstance(self.body, dict) else None
        self.errors = errors if isinstance(errors, list) else []
        super().__init__(self._message())

    @property
    def details(self):
        """The `detail` (or else `title`) of each JSON:API error, in order."""
        return [e.get("detail") or e.get("title") or "" for e in self.errors if isinstance(e, dict)]

    def _message(self):
        what = "; ".join(d for d in self.details if d)
        if not what:
            what = self.response.text[:500]
        return f"{self.method} {self.url}: {self.status} {what}".rstrip()


def _encode_body(body):
    if body is None:
        return None
    if isinstance(body, (bytes, bytearray, memoryview)):
        return bytes(body)
    if isinstance(body, str):
        return body.encode("utf-8")
    return json.dumps(body).encode("utf-8")


def send(method, url, body=None, headers=None, timeout=30.0):
    """Send one request and return its `Response`; HTTP error statuses do not raise.

    `body` is bytes or str (sent as is), None (no body) or any other JSON value (serialized).
    Connection errors raise `OSError` (urllib.error.URLError).
    """
    req = urllib.request.Request(url, data=_encode_body(body), headers=dict(headers or {}), method=method)
    try:
        with _OPENER.open(req, timeout=timeout) as r:
            return Response(r.status, r.headers, r.read())
    except urllib.error.HTTPError as e:
        with e:
            return Response(e.code, e.headers, e.read())


def _query(params):
    if not params:
        return ""
    pairs = []
    for k, v in params.items():
        if v is None:
            continue
        if isinstance(v, bool):
            v = "true" if v else "false"
        elif isinstance(v, (list, tuple)):
            v = ",".join(str(x) for x in v)
        pairs.append((k, str(v)))
    return urllib.parse.urlencode(pairs, safe="[],:/")


def _check(method, url, response, expect):
    if expect is None:
        ok = response.status < 400
    elif isinstance(expect, int):
        ok = response.status == expect
    else:
        ok = response.status in expect
    if not ok:
        raise ApiError(method, url, response)
    return response.json() if response.body else None


class JsonApiClient:
    """A tiny client for the TFE API (JSON:API over HTTP) of one tfe-server or tenant.

    `api_url` is the API's root ("http://127.0.0.1:PORT/api/v2/"). A path given to a method is taken
    relative to it ("organizations", "/runs/run-1" and "runs/run-1" all work), unless it is a full URL
    (capability URLs, pagination links), starts with the API's own base path (a tenant's
    "/t/NAME/api/v2/...", resolved against the server's origin), or starts with "/api/v2/" (a resource
    link such as `links.self`, which a tenant also writes root-relative: taken relative to `api_url`).

    `get`, `post`, `patch` and `delete` return the parsed JSON of the answer (None for an empty
    body) and raise `ApiError` for any status of 400 or more, or for any status other than `expect`
    when it is given (an int or a collection of ints).
    """

    def __init__(self, api_url, token, timeout=30.0):
        if not api_url.endswith("/"):
            api_url += "/"
        self.api_url = api_url
        parts = urllib.parse.urlsplit(api_url)
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.base_path = parts.path
        self.token = token
        self.timeout = timeout

    @property
    def headers(self):
        """The headers of an API request: the bearer token and the JSON:API content type."""
        return {"Authorization": f"Bearer {self.token}", "Content-Type": JSONAPI_CONTENT_TYPE,
                "Accept": JSONAPI_CONTENT_TYPE}

    def resolve(self, path, params=None):
        """The full URL of `path` (see the class documentation), with `params` as its query string."""
        if "://" in path:
            url = path
        elif path.startswith(self.base_path):
            url = self.origin + path
        elif path.startswith("/api/v2/"):  # a resource link: root-relative, also in a tenant
            url = self.api_url + path[len("/api/v2/"):]
        else:
            url = self.api_url + path.lstrip("/")
        q = _query(params)
        if q:
            url += ("&" if "?" in url else "?") + q
        return url

    def request(self, method, path, body=None, params=None, headers=None):
        """Send one API request with the token; return the `Response` whatever its status.

        `headers` are added to (and override) `self.headers`.
        """
        url = self.resolve(path, params)
        h = self.headers
        h.update(headers or {})
        return send(method, url, body, h, self.timeout)

    def _call(self, method, path, body, params, expect):
        url = self.resolve(path, params)
        h = self.headers
        return _check(method, url, send(method, url, body, h, self.timeout), expect)

    def get(self, path, params=None, expect=None):
        """GET `path` with query `params` (a dict; None values are left out, lists joined with ",")."""
        return self._call("GET", path, None, params, expect)

    def post(self, path, body=None, params=None, expect=None):
        """POST `body` (a JSON value, or bytes) to `path`."""
        return self._call("POST", path, body, params, expect)

    def patch(self, path, body=None, params=None, expect=None):
        """PATCH `path` with `body`."""
        return self._call("PATCH", path, body, params, expect)

    def delete(self, path, body=None, params=None, expect=None):
        """DELETE `path` (usually without a body)."""
        return self._call("DELETE", path, body, params, expect)

    def put(self, url, data, content_type="application/octet-stream", expect=200):
        """PUT raw bytes to a URL without the token: how clients upload to a capability URL."""
        return _check("PUT", url, send("PUT", url, data, {"Content-Type": content_type}, self.timeout), expect)

    # Conveniences for what most tests need first.

    def create_organization(self, name="acme", email=None, **attributes):
        """Create an organization; `attributes` use wire names with "_" for "-"
        (cost_estimation_enabled=False). Returns the JSON:API document."""
        attrs = {"name": name, "email": email or f"ops@{name}.test"}
        attrs.update({k.replace("_", "-"): v for k, v in attributes.items()})
        return self.post("organizations", {"data": {"type": "organizations", "attributes": attrs}}, expect=201)

    def create_workspace(self, organization, name, **attributes):
        """Create a workspace in `organization`; `attributes` as for `create_organization`."""
        attrs = {"name": name}
        attrs.update({k.replace("_", "-"): v for k, v in attributes.items()})
        return self.post(f"organizations/{organization}/workspaces",
                         {"data": {"type": "workspaces", "attributes": attrs}}, expect=201)

    def upload_configuration(self, workspace_id, content, auto_queue_runs=True, speculative=False):
        """Create a configuration version of the workspace and upload `content` to its upload URL.

        `content` is the tar.gz as bytes, or a dict of file name -> text made into one by `tarball`.
        Returns the configuration version's document as created (its status is then "uploaded"; with
        `auto_queue_runs` the upload has queued a run).
        """
        cv = self.post(f"workspaces/{workspace_id}/configuration-versions", {"data": {
            "type": "configuration-versions",
            "attributes": {"auto-queue-runs": auto_queue_runs, "speculative": speculative}}}, expect=201)
        data = content if isinstance(content, (bytes, bytearray)) else tarball(content)
        self.put(cv["data"]["attributes"]["upload-url"], data)
        return cv

    def create_run(self, workspace_id, configuration_version_id=None, message=None, **attributes):
        """Create a run (POST /runs) of the workspace; returns the document."""
        attrs = {k.replace("_", "-"): v for k, v in attributes.items()}
        if message is not None:
            attrs["message"] = message
        rel = {"workspace": {"data": {"type": "workspaces", "id": workspace_id}}}
        if configuration_version_id:
            rel["configuration-version"] = {"data": {"type": "configuration-versions",
                                                     "id": configuration_version_id}}
        return self.post("runs", {"data": {"type": "runs", "attributes": attrs, "relationships": rel}},
                         expect=201)

    def run_status(self, run_id):
        """The status of a run (GET /runs/:id)."""
        return self.get(f"runs/{run_id}")["data"]["attributes"]["status"]

    def wait_for_run(self, run_id, *statuses, timeout=30.0, interval=0.01):
        """Poll the run until its status is one of `statuses`; return the run document.

        Raises AssertionError naming the last status when `timeout` seconds pass first, or at once
        when the run ends in a final status that is not one of `statuses`.
        """
        deadline = time.monotonic() + timeout
        while True:
            doc = self.get(f"runs/{run_id}")
            status = doc["data"]["attributes"]["status"]
            if status in statuses:
                return doc
            if status in FINAL_RUN_STATUSES:
                raise AssertionError(f"run {run_id} ended {status!r}, want one of {statuses}")
            if time.monotonic() >= deadline:
                raise AssertionError(f"run {run_id} is {status!r} after {timeout}s, want one of {statuses}")
            time.sleep(interval)


#: The statuses a run never leaves (tfe::is_final).
FINAL_RUN_STATUSES = frozenset({"applied", "planned_and_finished", "errored", "discarded",
                                "canceled", "force_canceled", "policy_soft_failed"})


def _drop_none(d):
    return {k: v for k, v in d.items() if v is not None}


class AdminClient:
    """The test controls of one tfe-server or tenant: its admin API under /_tfe/ (docs/testing.md).

    `admin_url` is the admin API's root ("http://127.0.0.1:PORT/_tfe/", a tenant's
    ".../t/NAME/_tfe/"); `admin_token` is sent as a bearer token when the server was started with
    `--admin-token` (without it the server answers loopback clients only). Each method raises
    `ApiError` when the server answers anything but the documented success status.
    """

    def __init__(self, admin_url, admin_token=None, timeout=30.0):
        if not admin_url.endswith("/"):
            admin_url += "/"
        self.admin_url = admin_url
        self.admin_token = admin_token
        self.timeout = timeout

    @property
    def headers(self):
        """The headers of an admin request (JSON, and the admin token when there is one)."""
        h = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.admin_token:
            h["Authorization"] = f"Bearer {self.admin_token}"
        return h

    def request(self, method, path, body=None, params=None):
        """Send one admin request (`path` relative to /_tfe/); return the `Response`, whatever its status."""
        url = self.admin_url + path.lstrip("/")
        q = _query(params)
        if q:
            url += "?" + q
        return send(method, url, body, self.headers, self.timeout)

    def _call(self, method, path, body=None, params=None, expect=200):
        url = self.admin_url + path.lstrip("/")
        q = _query(params)
        if q:
            url += "?" + q
        return _check(method, url, send(method, url, body, self.headers, self.timeout), expect)

    def endpoints(self):
        """GET /_tfe/: the admin endpoints this server serves (the JSON document as answered)."""
        return self._call("GET", "")

    # State

    def reset(self):
        """POST /_tfe/reset: empty the engine; also clears faults, the journal and scripts."""
        self._call("POST", "reset", expect=204)

    def snapshot(self):
        """GET /_tfe/snapshot: the whole state as one JSON document (a dict)."""
        return self._call("GET", "snapshot")

    def restore(self, document):
        """POST /_tfe/restore: replace the state with a snapshot or a hand-written fixture (a dict)."""
        self._call("POST", "restore", document, expect=204)

    # Faults

    def faults(self):
        """GET /_tfe/faults: the rules in force, each with its remaining `count` and how often it `fired`."""
        return self._call("GET", "faults")["rules"]

    def add_faults(self, rules, seed=None):
        """POST /_tfe/faults: add fault rules (a list of dicts in wire form, e.g. {"method": "GET",
        "path": "/api/v2/runs/*", "status": 429, "count": 3, "retry-after": 0.05}); `seed` reseeds the
        injector's generator. Every rule is checked before any is added. Returns the rules in force."""
        body = list(rules) if seed is None else {"rules": list(rules), "seed": seed}
        return self._call("POST", "faults", body, expect=201)["rules"]

    def add_fault(self, method=None, path=None, status=None, count=None, probability=None,
                  retry_after=None, latency_ms=None, transport=None, body=None):
        """Add one fault rule from keyword arguments (None leaves a field out); returns the rules in
        force. `transport` is "drop" or "truncate"; `body` a custom body for `status`."""
        rule = _drop_none({"method": method, "path": path, "status": status, "count": count,
                           "probability": probability, "retry-after": retry_after,
                           "latency-ms": latency_ms, "transport": transport, "body": body})
        return self.add_faults([rule])

    def clear_faults(self):
        """DELETE /_tfe/faults: remove every fault rule."""
        self._call("DELETE", "faults", expect=204)

    # The request journal

    def requests(self, route=None, run=None, limit=None):
        """GET /_tfe/requests: the journal, {"data": [entry...], "meta": {"count", "capacity",
        "dropped", "routes"}}. Filters: `route` (a template such as
        "POST /api/v2/runs/:id/actions/apply"), `run` (a run id), `limit` (the latest N)."""
        return self._call("GET", "requests", params={"route": route, "run": run, "limit": limit})

    def clear_requests(self):
        """DELETE /_tfe/requests: empty the journal."""
        self._call("DELETE", "requests", expect=204)

    # Stepping and scripts

    def advance(self, run_id, to):
        """POST /_tfe/runs/{id}/advance: move the run along legal transitions to status `to`;
        returns {"id", "status"}. 409 (ApiError) when the status cannot be reached."""
        return self._call("POST", f"runs/{run_id}/advance", {"to": to})

    def script(self, run=None, workspace=None, next=False, plan=None, apply=None, policy=None,
               cost_delta=None):
        """POST /_tfe/script: script what a run does. Name exactly one target: `run` (a run id),
        `workspace` (a workspace id: every later run of it) or `next=True` (the next run whose plan
        starts). `plan` and `apply` are dicts in wire form ({"errored": True, "error-message": "..."},
        {"counts": {"additions": 2, ...}}, {"no-changes": True}, {"duration-ms": 20000}, {"log": "..."},
        {"slow-cancel": True}); `policy` is "pass", "soft-fail" or "hard-fail"; `cost_delta` a number."""
        body = _drop_none({"run": run, "workspace": workspace, "plan": plan, "apply": apply,
                           "policy": policy, "cost-delta": cost_delta})
        if next:
            body["next"] = True
        self._call("POST", "script", body, expect=204)

    def clear_scripts(self):
        """DELETE /_tfe/script: remove every script."""
        self._call("DELETE", "script", expect=204)

    # The clock

    def clock(self):
        """GET /_tfe/clock: {"now": "<ISO 8601>", "manual": bool}."""
        return self._call("GET", "clock")

    def now(self):
        """The server's current time (ISO 8601 text, e.g. "2026-01-01T00:00:05.000Z")."""
        return self.clock()["now"]

    def is_frozen(self):
        """Whether the clock stands still until `advance_clock` (a manual clock: tfe-server
        --manual-clock, or a tenant created with "manual-clock")."""
        return bool(self.clock()["manual"])

    def advance_clock(self, seconds=None, ms=None):
        """POST /_tfe/clock/advance: move a manual clock by `seconds` or `ms`, firing each due step at
        its own time; returns {"now", "manual"}. 409 (ApiError) when the clock is not manual."""
        if (seconds is None) == (ms is None):
            raise ValueError("advance_clock: give exactly one of seconds= and ms=")
        return self._call("POST", "clock/advance", {"seconds": seconds} if ms is None else {"ms": ms})


class TenantClient:
    """The tenant API of a shared tfe-server: POST/GET /_tfe/tenants, DELETE /_tfe/tenants/NAME.

    `server_url` is the shared server's origin ("http://127.0.0.1:PORT"); `admin_token` is its
    `--admin-token`, if any.
    """

    def __init__(self, server_url, admin_token=None, timeout=30.0):
        self.server_url = server_url.rstrip("/")
        self.admin = AdminClient(self.server_url + "/_tfe/", admin_token, timeout)

    def available(self):
        """Whether the server has the tenant API (False when GET /_tfe/tenants answers 404)."""
        r = self.admin.request("GET", "tenants")
        if r.status == 404:
            return False
        if r.status != 200:
            raise ApiError("GET", self.admin.admin_url + "tenants", r)
        return True

    def create(self, name=None, seed=None, manual_clock=None):
        """Create a tenant; returns {"name", "base-url", "api-url", "base-path", "admin-url"}.
        ApiError: 409 for a taken name, 422 for a bad name or body, 429 at --max-tenants."""
        body = _drop_none({"name": name, "seed": seed, "manual-clock": manual_clock})
        return self.admin._call("POST", "tenants", body, expect=201)

    def list(self):
        """The tenants of the server, as `create` describes each."""
        return self.admin._call("GET", "tenants")["tenants"]

    def delete(self, name):
        """Delete a tenant and everything in it (ApiError 404 when unknown)."""
        self.admin._call("DELETE", f"tenants/{urllib.parse.quote(name, safe='')}", expect=204)


def tarball(files, mtime=0):
    """A tar.gz (bytes) holding `files`, a dict of path -> text or bytes, built with tarfile.

    Entries get mode 0644 and the fixed `mtime` (the gzip header's too), so equal files give equal
    archives.
    """
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for path, content in files.items():
            data = content.encode("utf-8") if isinstance(content, str) else bytes(content)
            info = tarfile.TarInfo(path)
            info.size = len(data)
            info.mode = 0o644
            info.mtime = mtime
            tar.addfile(info, io.BytesIO(data))
    return gzip.compress(buf.getvalue(), mtime=mtime)
