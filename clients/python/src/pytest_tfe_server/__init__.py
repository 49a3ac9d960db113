"""pytest-tfe-server: isolated tfe-server fakes for tests, from Python's standard library.

In a test, the `tfe_server` fixture (registered by the pytest11 entry point, see `plugin`) gives a
`TfeServer`: a JSON:API helper for its API and `.admin`, an `AdminClient` for its test controls.
Outside pytest, `start_process()` and `create_tenant()` make the same objects.
"""
from .client import (JSONAPI_CONTENT_TYPE, AdminClient, ApiError, JsonApiClient, Response, TenantClient,
                     tarball)
from .server import (DEFAULT_TOKEN, ServerError, ServerProcess, TfeServer, create_tenant, find_binary,
                     start_process)

__all__ = [
    "AdminClient",
    "ApiError",
    "DEFAULT_TOKEN",
    "JSONAPI_CONTENT_TYPE",
    "JsonApiClient",
    "Response",
    "ServerError",
    "ServerProcess",
    "TenantClient",
    "TfeServer",
    "create_tenant",
    "find_binary",
    "start_process",
    "tarball",
]
__version__ = "0.1.0"
