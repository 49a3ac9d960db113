// Mirrors the usage example in README.md; keep the two in step.
#include <tfe/tfe.hpp>

#include <cstdio>

int main() {
  tfe::basic_engine<tfe::test_policies> eng;  // manual clock, sequential ids

  tfe::organization_options org;
  org.name = "acme";
  org.email = "ops@acme.example";
  tfe::workspace_options ws;
  ws.name = "prod";
  if (!eng.create_organization(org)) return 1;
  auto w = eng.create_workspace("acme", ws);  // result<workspace>: a value or a tfe::error
  if (!w) return 1;

  auto cv = eng.create_configuration_version(w->id);                                // returns the upload capability
  (void)eng.upload_configuration(cv->upload_token, std::string("\x1f\x8b...", 5));  // queues a run
  eng.run_until_idle();  // plan, estimate cost (the manual clock moves to each step)

  auto run = eng.list_runs(w->id)->items.front();
  std::printf("%s is %s\n", run.id.str().c_str(), tfe::to_string(run.status).data());  // cost_estimated

  if (auto r = eng.apply_run(run.id, "Looks good to me"); !r)
    std::printf("refused: %s\n", r.error().message.c_str());  // errc::conflict when not confirmable
  eng.run_until_idle();
  std::printf("%s\n", tfe::to_string(eng.read_run(run.id)->status).data());  // applied
  return eng.read_run(run.id)->status == tfe::run_status::applied ? 0 : 1;
}
