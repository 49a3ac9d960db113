// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// The API-driven run workflow (configuration version, upload, automatic run, apply with a comment,
// list, discard, promotion to a second workspace) driven through the typed C++ API.
#include <tfe/tfe.hpp>

#include <cstdio>
#include <string>

namespace {

using demo_engine = tfe::basic_engine<tfe::test_policies>;  // manual clock, sequential ids: same output every time

int fail(const char* step, const tfe::error& e) {
  std::printf("FAILED at %s: %s (%s)\n", step, e.message.c_str(), std::string(tfe::to_string(e.code)).c_str());
  return 1;
}

const char* status_of(const tfe::run& r) { return tfe::to_string(r.status).data(); }

}  // namespace

int main() {
  demo_engine eng;
  eng.executor().plan_duration = tfe::milliseconds(2000);
  eng.executor().apply_duration = tfe::milliseconds(3000);

  tfe::organization_options oo;
  oo.name = "acme";
  oo.email = "ops@acme.example";
  auto org = eng.create_organization(oo);
  if (!org) return fail("create organization", org.error());
  tfe::workspace_options wo;
  wo.name = "staging";
  auto staging = eng.create_workspace("acme", wo);
  if (!staging) return fail("create workspace", staging.error());
  wo.name = "production";
  auto production = eng.create_workspace("acme", wo);
  if (!production) return fail("create workspace", production.error());
  std::printf("organization %s, workspaces %s (staging) and %s (production)\n", org->name.c_str(),
              staging->id.str().c_str(), production->id.str().c_str());

  // 1. Create a configuration version: the response carries the upload capability.
  auto cv = eng.create_configuration_version(staging->id);
  if (!cv) return fail("create configuration version", cv.error());
  std::printf("1. configuration version %s is %s; upload token %s...\n", cv->id.str().c_str(),
              tfe::to_string(cv->status).data(), cv->upload_token.substr(0, 8).c_str());

  // 2. Upload the tar.gz; 3. a run is queued automatically (auto-queue-runs defaults to true).
  const std::string tarball("\x1f\x8b\x08\x00main.tf", 11);
  auto up = eng.upload_configuration(cv->upload_token, tarball);
  if (!up) return fail("upload", up.error());
  auto runs = eng.list_runs(staging->id);
  if (!runs || runs->items.empty()) return fail("list runs", runs ? tfe::error{} : runs.error());
  const tfe::run first = runs->items.front();
  std::printf("2. uploaded %zu bytes: configuration version is %s\n", tarball.size(), tfe::to_string(up->status).data());
  std::printf("3. run %s queued automatically (source %s), status %s\n", first.id.str().c_str(),
              tfe::to_string(first.source).data(), status_of(first));

  // The manual clock drives progress: nothing moves until time passes.
  eng.poll();
  std::printf("   after poll: %s\n", status_of(*eng.read_run(first.id)));
  eng.clock().advance(tfe::milliseconds(2000));
  eng.poll();
  auto planned = eng.read_run(first.id);
  std::printf("   after 2 s: %s, confirmable=%s\n", status_of(*planned),
              planned->actions(eng.now()).is_confirmable ? "true" : "false");
  std::printf("   plan log: %s", eng.plan_log(first.id)->text.substr(eng.plan_log(first.id)->text.rfind("Plan:")).c_str());

  // 4. Apply with a comment.
  if (auto a = eng.apply_run(first.id, "Looks good to me"); !a) return fail("apply", a.error());
  eng.run_until_idle();
  auto applied = eng.read_run(first.id);
  std::printf("4. applied with comment \"%s\": %s\n", (*eng.list_comments(first.id))[0].body.c_str(), status_of(*applied));
  std::printf("   apply log: %s", eng.apply_log(first.id)->text.substr(eng.apply_log(first.id)->text.rfind("Apply")).c_str());

  // List runs: create a second run, then list.
  tfe::run_options ro;
  ro.workspace_id = staging->id;
  ro.message = "second run";
  auto second = eng.create_run(ro);
  if (!second) return fail("create run", second.error());
  eng.run_until_idle();
  auto list = eng.list_runs(staging->id);
  std::printf("5. list runs of %s: %zu runs\n", staging->name.c_str(), list->total_count);
  for (const auto& r : list->items) std::printf("   %s %s\n", r.id.str().c_str(), status_of(r));

  // Discard the planned second run with a comment.
  if (auto d = eng.discard_run(second->id, "This run was discarded"); !d) return fail("discard", d.error());
  std::printf("6. discarded %s: %s\n", second->id.str().c_str(), status_of(*eng.read_run(second->id)));

  // Promotion: run staging's known-good configuration version in production.
  tfe::run_options promote;
  promote.workspace_id = production->id;
  promote.configuration_version_id = cv->id;
  promote.message = "Promote staging configuration";
  auto promoted = eng.create_run(promote);
  if (!promoted) return fail("promote", promoted.error());
  eng.run_until_idle();
  if (auto a = eng.apply_run(promoted->id); !a) return fail("apply promoted", a.error());
  eng.run_until_idle();
  auto p = eng.read_run(promoted->id);
  std::printf("7. promoted %s from staging to production as %s: %s\n", cv->id.str().c_str(), p->id.str().c_str(),
              status_of(*p));
  return p->status == tfe::run_status::applied ? 0 : 1;
}
