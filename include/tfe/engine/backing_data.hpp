// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// Backing data of basic_engine: soft delete, restore and permanent delete of the bytes behind a
// configuration version or a state version (Terraform Enterprise's data retention actions).
#ifndef TFE_ENGINE_BACKING_DATA_HPP
#define TFE_ENGINE_BACKING_DATA_HPP

#include <tfe/engine/engine.hpp>
#include <tfe/model/backing_data.hpp>

#include <string>
#include <string_view>

namespace tfe {

template <class Policies>
result<void> basic_engine<Policies>::manage_backing_data(std::string_view id, backing_data_action action) {
  const bool is_cv = id.substr(0, 3) == "cv-";
  const char* what = is_cv ? "configuration version" : "state version";
  shard* s = (is_cv || id.substr(0, 3) == "sv-") ? shard_of_indexed(id) : nullptr;
  if (!s) return not_found(is_cv ? "configuration version" : "state version", id);
  shard_guard sg(*this, *s);
  const resource_id rid(id);
  const auto refuse = [&](std::string detail) {
    return make_titled_error(errc::validation_failed, "transition not allowed", std::move(detail));
  };
  backing_data from, to;
  bool has_data, current;
  if (is_cv) {
    const configuration_version* cv = s->storage.find(of<configuration_version>, rid);
    if (!cv) return not_found(what, id);
    const workspace* w = s->storage.find(of<workspace>, cv->workspace_id);
    from = cv->backing;
    has_data = cv->uploaded_at.has_value();
    current = w && w->current_configuration_version == rid;
  } else {
    const state_version* v = s->storage.find(of<state_version>, rid);
    if (!v) return not_found(what, id);
    const workspace* w = s->storage.find(of<workspace>, v->workspace_id);
    from = v->backing;
    has_data = v->status == state_version_status::finalized;
    current = w && w->current_state_version == rid;
  }
  if (!has_data) return refuse(std::string("the ") + what + " has no uploaded data");
  if (!backing_data_transition(from, action, to))
    return refuse(std::string("backing data that is ") + std::string(to_string(from)) + " cannot be " +
                  (action == backing_data_action::soft_delete ? "soft deleted"
                   : action == backing_data_action::restore   ? "restored"
                                                              : "permanently deleted"));
  if (current && action == backing_data_action::soft_delete)
    return refuse(std::string("the backing data of the workspace's current ") + what + " cannot be deleted");
  result<void> r =
      is_cv ? s->storage.update(of<configuration_version>, rid, [&](configuration_version& cv) { cv.backing = to; })
            : s->storage.update(of<state_version>, rid, [&](state_version& v) { v.backing = to; });
  if (!r) return r;
  if (to == backing_data::permanently_deleted) {
    if (is_cv) {
      s->configs.erase(rid);
      return s->storage.erase_blob(blob_key(rid));
    }
    if (auto e = s->storage.erase_blob(detail::state_blob_key(rid)); !e) return e;
    return s->storage.erase_blob(detail::json_state_blob_key(rid));
  }
  return {};
}

}  // namespace tfe

#endif  // TFE_ENGINE_BACKING_DATA_HPP
