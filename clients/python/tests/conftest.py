"""Shared helpers of pytest-tfe-server's own tests (the plugin itself loads through its entry point)."""
import pytest

pytest_plugins = ["pytester"]

#: The root module every test uploads: one terraform_data resource and an output.
MAIN_TF = """\
resource "terraform_data" "greeting" {
  input = "hello"
}

output "greeting" {
  value = terraform_data.greeting.output
}
"""


@pytest.fixture
def main_tf():
    """The text of main.tf."""
    return MAIN_TF


def new_workspace(srv, org="acme", name="prod", **attributes):
    """Create organization `org` (no cost estimation, so a plan ends "planned") and workspace `name`;
    return the workspace id."""
    srv.create_organization(org, cost_estimation_enabled=False)
    return srv.create_workspace(org, name, **attributes)["data"]["id"]


def shared_mode(config):
    """Whether this session runs against a shared server (a tenant per test)."""
    import os
    return bool(config.getoption("tfe_shared_server") or os.environ.get("TFE_SHARED_SERVER"))
