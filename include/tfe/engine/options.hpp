// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// Engine configuration and the run-status notifications observers receive.
#ifndef TFE_ENGINE_OPTIONS_HPP
#define TFE_ENGINE_OPTIONS_HPP

#include <tfe/lifecycle/run_state_machine.hpp>
#include <tfe/lifecycle/run_status.hpp>
#include <tfe/model/ids.hpp>
#include <tfe/model/time.hpp>

#include <cstddef>
#include <string>

namespace tfe {

/// Engine-wide settings.
struct engine_options {
  milliseconds cancel_cooloff{10000};              ///< cancel -> force-cancel-available-at delay
  std::string terraform_version = "1.9.8";         ///< default workspace terraform-version
  std::string user_id = "user-tfeAdmin000000001";  ///< the user API calls act as (created-by, confirmed-by)
  std::string username = "tfe-admin";              ///< that user's username
  /// cost-estimation-enabled of organizations created without it. TFE enables it, and go-tfe's tests
  /// expect runs of a new organization to reach cost_estimated.
  bool cost_estimation_default = true;
  /// Workspaces are spread over this many independently locked shards (calls on different
  /// workspaces run in parallel; at most 62). With more than one, the first character of each id's
  /// random part names its shard. 1 gives a single lock and ids exactly as the id policy makes them.
  std::size_t shards = 16;
  /// How long after its state arrives a state version reports `resources-processed` (TFE processes states
  /// asynchronously; a delay reproduces the window clients must poll through). 0: at once.
  milliseconds state_processing_delay{0};
  /// Runs of one organization that may be in a phase (planning or applying) at once; more wait in
  /// plan_queued or apply_queued, first come first served, with their position-in-queue. 0: no limit.
  std::size_t organization_concurrency = 0;
  /// A plan reads the configuration's archive when it unpacks to at most this many bytes (larger
  /// archives, an archive bomb say, are not read: the executor decides alone).
  std::size_t max_unpacked_configuration = std::size_t{256} << 20;
};

/// A run status change, as delivered to observers.
struct run_status_change {
  resource_id run_id;        ///< the run
  resource_id workspace_id;  ///< its workspace
  run_status from;           ///< status before
  run_status to;             ///< status after (equal to `from` for a cancel request)
  run_event event;           ///< what caused it
  time_point at;             ///< when
};

}  // namespace tfe

#endif  // TFE_ENGINE_OPTIONS_HPP
