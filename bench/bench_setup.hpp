// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// What the engine, storage and API benchmarks share: the workspaces every benchmark starts from.
#pragma once

#include <tfe/tfe.hpp>

#include <cstddef>
#include <string>
#include <vector>

namespace tfe_bench {

/// A configuration upload: a gzip magic, then anything.
inline const std::string tarball(
    "\x1f\x8b\x08\x00"
    "bench",
    9);

/// Organization "bench" with `workspaces` workspaces ws0, ws1, ..., each with an uploaded
/// configuration version that queues no run. Returns the workspace ids in creation order.
template <class Engine>
std::vector<tfe::resource_id> setup(Engine& eng, std::size_t workspaces) {
  tfe::organization_options oo;
  oo.name = "bench";
  oo.email = "b@e.n";
  (void)eng.create_organization(oo);
  std::vector<tfe::resource_id> ws;
  for (std::size_t i = 0; i < workspaces; ++i) {
    tfe::workspace_options wo;
    wo.name = "ws" + std::to_string(i);
    auto w = eng.create_workspace("bench", wo);
    tfe::configuration_version_options co;
    co.auto_queue_runs = false;
    auto cv = eng.create_configuration_version(w->id, co);
    (void)eng.upload_configuration(cv->upload_token, tarball);
    ws.push_back(w->id);
  }
  return ws;
}

}  // namespace tfe_bench
