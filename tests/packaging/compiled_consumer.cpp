// A downstream program linked against the installed tfe::compiled: the engine and the API members come
// from the library (TFE_EXTERN_TEMPLATES), so this links only if the library holds them.
#include <tfe/tfe.hpp>

#include <cstdio>

int main() {
  tfe::basic_engine<tfe::test_policies> eng;
  tfe::basic_api<tfe::basic_engine<tfe::test_policies>> api(eng);
  tfe::in_process_transport<decltype(api)> http(api);
  const int status = http.get("/api/v2/ping").status;
  std::printf("tfe::compiled consumer: ping %d\n", status);
  return status == 204 ? 0 : 1;
}
