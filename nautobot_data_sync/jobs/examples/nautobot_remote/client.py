"""A REST client for a remote Nautobot: one ``requests.Session`` with retries, paginated parallel reads, bulk writes.

* Reads: ``fetch_collections()`` takes every list endpoint at once: first pages in parallel, then all remaining pages
  (by offset) in parallel, on a pool of ``max_workers`` threads sharing as many pooled connections.
* Writes: ``bulk("POST"|"PATCH"|"DELETE", endpoint, items)`` sends lists, ``batch_size`` objects per request.
* Retries (urllib3 ``Retry``, exponential backoff, ``Retry-After`` honoured): connection errors, 429 and 503 for
  every method (the server did not process the request), 500/502/504 for all but POST (a repeated POST could
  create twice). Every request has a timeout.
* Errors: ``RemoteNautobotError`` with a message naming the URL and what to do.
"""

import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urljoin

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

SUPPORTED_VERSIONS = ((2, 0), (4, 0))
"""Nautobot versions whose REST API this client speaks: from 2.0 (namespaces, statuses, roles) up to, not including,
4.0."""


class RemoteNautobotError(RuntimeError):
    """The remote Nautobot cannot be used: unreachable, refused the token, wrong version, or refused a request."""


class _Retry(Retry):
    """Retry 500/502/504 only for methods that are safe to repeat; 429 and 503 for all."""

    ALWAYS = frozenset({429, 503})

    def is_retry(self, method, status_code, has_retry_after=False):
        if method.upper() == "POST" and status_code not in self.ALWAYS:
            return False
        return super().is_retry(method, status_code, has_retry_after)


def version_tuple(text):
    """``"3.2.1"`` -> ``(3, 2)``."""
    parts = str(text).split(".")
    try:
        return int(parts[0]), int(parts[1]) if len(parts) > 1 else 0
    except ValueError:
        return None


class RemoteNautobot:
    """A remote Nautobot's REST API. ``requests_made`` counts HTTP requests (retries included)."""

    def __init__(
        self,
        url,
        token,
        verify_ssl=True,
        timeout=30,
        max_workers=4,
        page_size=1000,
        batch_size=250,
        retries=4,
        backoff_factor=0.5,
    ):
        self.url = url.rstrip("/") + "/"
        self.timeout = timeout
        self.max_workers = max_workers
        self.page_size = page_size
        self.batch_size = batch_size
        self.requests_made = 0
        self._lock = threading.Lock()
        self.session = requests.Session()
        self.session.verify = verify_ssl
        self.session.headers.update({"Authorization": f"Token {token}", "Accept": "application/json"})
        retry = _Retry(
            total=retries,
            backoff_factor=backoff_factor,
            status_forcelist=(429, 500, 502, 503, 504),
            allowed_methods=None,  # every method; _Retry keeps POST to 429/503
            respect_retry_after_header=True,
            raise_on_status=False,
        )
        adapter = HTTPAdapter(pool_connections=1, pool_maxsize=max_workers, max_retries=retry)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.hooks["response"].append(self._count)

    def _count(self, response, *args, **kwargs):
        with self._lock:
            self.requests_made += 1 + len(response.raw.retries.history if response.raw.retries else ())

    def close(self):
        self.session.close()

    def request(self, method, path, **kwargs):
        """One request to ``path`` (relative to the base URL, e.g. ``api/dcim/devices/``); the response if 2xx."""
        url = urljoin(self.url, path)
        try:
            response = self.session.request(method, url, timeout=self.timeout, **kwargs)
        except requests.exceptions.SSLError as error:
            raise RemoteNautobotError(
                f"TLS error talking to {self.url}: {error}. Fix the certificate, set the integration's CA file, "
                "or (only for a trusted test server) turn TLS verification off."
            ) from None
        except requests.exceptions.RequestException as error:
            raise RemoteNautobotError(f"cannot reach the remote Nautobot at {self.url}: {error}") from None
        if response.status_code in (401, 403):
            raise RemoteNautobotError(
                f"the remote Nautobot at {self.url} refused the token ({response.status_code} on {method} {path}: "
                f"{_detail(response)}); check the token and its user's permissions"
            )
        return response

    def check(self):
        """Check that the remote is a Nautobot of a supported version that accepts the token; return its version."""
        response = self.request("GET", "api/status/")
        version = None
        if response.ok and "json" in response.headers.get("Content-Type", ""):
            version = response.json().get("nautobot-version")
        if not version:
            raise RemoteNautobotError(
                f"{self.url} does not look like Nautobot: GET api/status/ answered {response.status_code} "
                "without a nautobot-version"
            )
        low, high = SUPPORTED_VERSIONS
        parsed = version_tuple(version)
        if parsed is None or not low <= parsed < high:
            raise RemoteNautobotError(
                f"the remote Nautobot at {self.url} runs version {version} (API-Version "
                f"{response.headers.get('API-Version', 'unknown')}); this job supports Nautobot "
                f"{low[0]}.{low[1]} up to (not including) {high[0]}.{high[1]}"
            )
        return version

    # Reads

    def fetch_collections(self, endpoints, parallel=True):
        """``{name: (endpoint, params)}`` -> ``{name: [record, ...]}``, every page of every endpoint.

        First pages go out together, then every remaining page of every endpoint, each by its offset. With
        ``parallel`` False the same requests are made one after the other (for comparison).
        """
        with ThreadPoolExecutor(max_workers=self.max_workers if parallel else 1) as pool:
            first = {
                name: pool.submit(self._page, endpoint, params, 0, self.page_size)
                for name, (endpoint, params) in endpoints.items()
            }
            results, rest = {}, []
            for name, future in first.items():
                page = future.result()
                results[name] = list(page["results"])
                size = len(page["results"]) or self.page_size  # the server may cap the page size
                endpoint, params = endpoints[name]
                rest += [
                    (name, pool.submit(self._page, endpoint, params, offset, size))
                    for offset in range(size, page["count"], size)
                ]
            for name, future in rest:
                results[name].extend(future.result()["results"])
        return results

    def _page(self, endpoint, params, offset, limit):
        response = self.request("GET", endpoint, params={**params, "limit": limit, "offset": offset, "depth": 0})
        if not response.ok:
            failure = f"{response.status_code}: {_detail(response)}"
            raise RemoteNautobotError(f"GET {endpoint} at {self.url} failed ({failure})")
        return response.json()

    # Writes

    def bulk(self, method, endpoint, items):
        """Send ``items`` (dicts; with ``id`` for PATCH and DELETE) in lists of ``batch_size``.

        Yields ``(batch, response)`` for each request so that the caller can attribute failures.
        """
        for start in range(0, len(items), self.batch_size):
            batch = items[start : start + self.batch_size]
            yield batch, self.request(method, endpoint, json=batch)


def _detail(response):
    """The error a Nautobot response carries, shortened."""
    try:
        body = response.json()
    except ValueError:
        body = response.text
    text = body.get("detail", body) if isinstance(body, dict) else body
    return str(text)[:500]
