// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// What a plan of basic_engine proposes: the uploaded configuration (gzip, tar, the .tf files' resource,
// data and output blocks) read and compared with the workspace's current state (docs/terraform-cli.md).
#ifndef TFE_ENGINE_PLANNING_HPP
#define TFE_ENGINE_PLANNING_HPP

#include <tfe/detail/inflate.hpp>
#include <tfe/detail/tar.hpp>
#include <tfe/detail/tf_scan.hpp>
#include <tfe/engine/configuration_diff.hpp>
#include <tfe/engine/engine.hpp>
#include <tfe/model/planned_changes.hpp>

#include <algorithm>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace tfe {

// The planned changes of run `r` read from its configuration version's archive, or nothing when the
// archive holds no .tf file (the executor then decides alone). The archive is unpacked and scanned
// once per configuration version (shard::configs); each plan compares that with the current state.
// Shard locked.
template <class Policies>
std::optional<planned_changes> basic_engine<Policies>::planned_changes_locked(shard& s, const run& r) {
  if (r.configuration_version_id.empty()) return std::nullopt;
  auto cached = s.configs.find(r.configuration_version_id);
  if (cached == s.configs.end()) {
    const std::string* bytes = s.storage.get_blob(blob_key(r.configuration_version_id));
    if (!bytes) return std::nullopt;  // nothing uploaded (yet): nothing to remember
    std::shared_ptr<const detail::tf_config> scanned;
    if (auto tarball = detail::gunzip(*bytes, options_.max_unpacked_configuration))
      if (auto files = detail::read_tar(*tarball)) {
        const bool any_tf = std::any_of(files->begin(), files->end(), [](const detail::tar_entry& e) {
          return e.name.size() > 3 && e.name.compare(e.name.size() - 3, 3, ".tf") == 0;
        });
        if (any_tf) scanned = std::make_shared<const detail::tf_config>(detail::scan_tf_files(*files));
      }
    cached = s.configs.emplace(r.configuration_version_id, std::move(scanned)).first;
  }
  if (!cached->second) return std::nullopt;
  const workspace* w = s.storage.find(of<workspace>, r.workspace_id);
  const state_version* cur =
      w && !w->current_state_version.empty() ? s.storage.find(of<state_version>, w->current_state_version) : nullptr;
  static const std::vector<state_resource> no_resources;
  static const std::vector<state_output> no_outputs;
  return diff_configuration(*cached->second, cur ? cur->resources : no_resources, cur ? cur->outputs : no_outputs, r);
}

}  // namespace tfe

#endif  // TFE_ENGINE_PLANNING_HPP
