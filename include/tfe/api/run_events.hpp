// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// Run events (`run-events`): a run's history derived from its status timestamps and comments, with stable ids.
#ifndef TFE_API_RUN_EVENTS_HPP
#define TFE_API_RUN_EVENTS_HPP

#include <tfe/lifecycle/run_status.hpp>
#include <tfe/model/ids.hpp>
#include <tfe/model/run.hpp>
#include <tfe/model/time.hpp>

#include <algorithm>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tfe {

/// One event of a run: a status it entered, or a comment written on it.
struct run_event_record {
  std::string id;           ///< "re-" + the run id's suffix + "s<status>" or "c<comment index>"
  std::string action;       ///< "created", "planned", ..., "commented"
  std::string description;  ///< human text
  time_point created_at{};  ///< when
  resource_id comment_id;   ///< the comment of a "commented" event
};

namespace detail {
/// The run-event action of entering `s` (TFE calls the first one "created").
inline std::string run_event_action(run_status s) {
  if (s == run_status::pending) return "created";
  return std::string(to_string(s));
}
}  // namespace detail

/// The events of run `r` with comments `comments` (oldest first), oldest first.
inline std::vector<run_event_record> run_events_of(const run& r, const std::vector<run_comment>& comments) {
  const std::string_view suffix = id_suffix(r.id.view(), "run-");
  std::vector<run_event_record> out;
  for (run_status st : all_run_statuses) {
    const auto at = r.entered_at(st);
    if (!at) continue;
    run_event_record e;
    e.id = "re-" + std::string(suffix) + "s" + std::to_string(static_cast<int>(st));
    e.action = detail::run_event_action(st);
    e.description = "Run " + std::string(to_string(st));
    e.created_at = *at;
    out.push_back(std::move(e));
  }
  for (std::size_t i = 0; i < comments.size(); ++i) {
    run_event_record e;
    e.id = "re-" + std::string(suffix) + "c" + std::to_string(i);
    e.action = "commented";
    e.description = "Comment added";
    e.created_at = comments[i].created_at;
    e.comment_id = comments[i].id;
    out.push_back(std::move(e));
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const run_event_record& a, const run_event_record& b) { return a.created_at < b.created_at; });
  return out;
}

/// The run id a run event id belongs to ("re-<suffix>s3" -> "run-<suffix>"), or nullopt.
inline std::optional<std::string> run_of_event(std::string_view event_id) {
  auto rest = id_suffix(event_id, "re-");
  const auto mark = rest.find_last_of("sc");
  if (rest.empty() || mark == std::string_view::npos || mark == 0 || mark + 1 >= rest.size()) return std::nullopt;
  for (std::size_t i = mark + 1; i < rest.size(); ++i)
    if (rest[i] < '0' || rest[i] > '9') return std::nullopt;
  return "run-" + std::string(rest.substr(0, mark));
}

}  // namespace tfe

#endif  // TFE_API_RUN_EVENTS_HPP
