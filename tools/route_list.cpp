// tfe-routes: prints every route of the API's and the admin API's route tables, one per line:
// "api GET /api/v2/runs/:id" and "admin POST /_tfe/reset". tests/docs/check_routes.py compares them
// with the endpoint tables of docs/http.md and docs/testing.md.
#include <tfe/tfe.hpp>

#include <cstdio>

int main() {
  using engine_t = tfe::basic_engine<tfe::test_policies>;
  using api_t = tfe::basic_api<engine_t>;
  using admin_t = tfe::basic_admin_api<tfe::basic_test_controls<api_t>>;
  for (const auto& [method, pattern] : api_t::routes())
    std::printf("api %.*s %.*s\n", static_cast<int>(method.size()), method.data(), static_cast<int>(pattern.size()),
                pattern.data());
  for (const auto& [method, pattern] : admin_t::routes())
    std::printf("admin %.*s %.*s\n", static_cast<int>(method.size()), method.data(), static_cast<int>(pattern.size()),
                pattern.data());
  return 0;
}
