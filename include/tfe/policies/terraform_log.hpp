// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// The text of plan and apply logs: what the executor reported, or the output Terraform would print.
#ifndef TFE_POLICIES_TERRAFORM_LOG_HPP
#define TFE_POLICIES_TERRAFORM_LOG_HPP

#include <tfe/json.hpp>
#include <tfe/json_writer.hpp>
#include <tfe/lifecycle/run_status.hpp>
#include <tfe/model/planned_changes.hpp>
#include <tfe/model/run.hpp>
#include <tfe/model/time.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tfe {

/// The text of a plan or apply log and whether the phase is over.
struct phase_log {
  std::string text;       ///< the log (no STX/ETX framing)
  bool complete = false;  ///< the phase reached a final status: no more text will come
};

namespace detail {
/// "\nError: <text>\n", without doubling a prefix the text already has.
inline std::string error_block(const std::string& text) {
  return text.compare(0, 6, "Error:") == 0 ? "\n" + text + "\n" : "\nError: " + text + "\n";
}
/// The summary of an error diagnostic: `text` without an "Error:" prefix and leading spaces.
inline std::string error_summary(const std::string& text) {
  std::string s = text.compare(0, 6, "Error:") == 0 ? text.substr(6) : text;
  s.erase(0, s.find_first_not_of(' ') == std::string::npos ? s.size() : s.find_first_not_of(' '));
  return s;
}

/// The planned changes of `r` when they agree with its counts (a script may have overridden them).
inline std::optional<planned_changes> log_changes(const run& r, const resource_counts& c) {
  if (r.planned.empty()) return std::nullopt;
  auto p = decode_planned_changes(r.planned);
  if (!p) return std::nullopt;
  if (!same_plan_counts(p->counts(), c)) return std::nullopt;
  return p;
}

/// One line of Terraform's machine-readable UI (`terraform plan -json`): the common members, then
/// `body(writer)` for the type's own.
template <class F>
void json_log_line(std::string& out, const run& r, std::string_view level, std::string_view type,
                   std::string_view message, time_point at, F&& body) {
  json_writer w(out);
  char ts[iso8601_length];
  format_iso8601(ts, at);
  w.begin_object().member("@level", level).member("@message", message).member("@module", "terraform.ui");
  w.member("@timestamp", std::string_view(ts, iso8601_length));
  body(w);
  w.member("type", type).end_object();
  out += '\n';
  (void)r;
}

inline void json_resource(json_writer& w, const planned_resource& x) {
  w.key("resource").begin_object().member("addr", std::string_view(x.address)).member("module", "");
  w.member("resource", std::string_view(x.address));
  const std::string provider = provider_of_type(x.type);
  w.member("implied_provider", provider.substr(provider.rfind('/') + 1));
  w.member("resource_type", std::string_view(x.type)).member("resource_name", std::string_view(x.name));
  if (x.index >= 0) w.member("resource_key", x.index);
  else w.key("resource_key").null_value();
  w.end_object();
}

/// The cty type of a JSON value, as the CLI's output renderer reads it.
inline std::string_view output_type(const std::string& value) {
  if (value.empty()) return "\"dynamic\"";
  const char c = value[0];
  if (c == '"') return "\"string\"";
  if (c == 't' || c == 'f') return "\"bool\"";
  if (c == '-' || (c >= '0' && c <= '9')) return "\"number\"";
  return "\"dynamic\"";
}

inline void json_outputs(json_writer& w, const planned_changes& p, bool with_values) {
  w.key("outputs").begin_object();
  for (const auto& o : p.outputs) {
    if (o.action == "delete") continue;
    w.key(o.name).begin_object().member("sensitive", o.sensitive);
    w.key("type").raw_value(output_type(o.value));
    if (with_values && !o.sensitive && !o.value.empty()) w.key("value").raw_value(o.value);
    if (!with_values) w.member("action", std::string_view(o.action));
    w.end_object();
  }
  w.end_object();
}

inline std::string counts_summary(const resource_counts& c) {
  return "Plan: " + std::to_string(c.additions) + " to add, " + std::to_string(c.changes) + " to change, " +
         std::to_string(c.destructions) + " to destroy.";
}

inline std::string apply_summary(const run& r, const resource_counts& c) {
  if (r.is_destroy) return "Destroy complete! Resources: " + std::to_string(c.destructions) + " destroyed.";
  return "Apply complete! Resources: " + std::to_string(c.additions) + " added, " + std::to_string(c.changes) +
         " changed, " + std::to_string(c.destructions) + " destroyed.";
}

inline const char* verb(const std::string& action, bool done) {
  if (action == "create") return done ? "Creation complete" : "Creating...";
  if (action == "delete") return done ? "Destruction complete" : "Destroying...";
  return done ? "Modifications complete" : "Modifying...";
}

inline std::string_view plan_verb(const std::string& action) {
  if (action == "create") return "will be created";
  if (action == "delete") return "will be destroyed";
  if (action == "update") return "will be updated in-place";
  return "will be replaced";
}
}  // namespace detail

/// The plan log of `r` as far as its plan has got: the executor's own log when it gave one, else the
/// text Terraform prints (version banner, the changes and the "Plan:" summary, or the error); with
/// structured run output (`run::structured_log`), the banner and then Terraform's JSON log lines.
inline phase_log render_plan_log(const run& r) {
  phase_log out;
  const phase_status ps = r.plan_status();
  out.complete = is_final(ps);
  if (ps == phase_status::pending || ps == phase_status::queued || ps == phase_status::unreachable) return out;
  if (!r.plan_log.empty() && ps != phase_status::running) {
    out.text = r.plan_log;
    return out;
  }
  out.text = "Terraform v" + r.terraform_version + "\non linux_amd64\nInitializing plugins and modules...\n";
  const time_point at = r.entered_at(run_status::planning).value_or(r.created_at);
  const time_point end =
      r.entered_at(run_status::planned)
          .value_or(
              r.entered_at(run_status::planned_and_finished).value_or(r.entered_at(run_status::errored).value_or(at)));
  const bool js = r.structured_log;
  auto line = [&](std::string_view level, std::string_view type, std::string_view msg, time_point t, auto&& body) {
    detail::json_log_line(out.text, r, level, type, msg, t, body);
  };
  if (js)
    line("info", "version", "Terraform " + r.terraform_version, at,
         [&](json_writer& w) { w.member("terraform", std::string_view(r.terraform_version)).member("ui", "1.2"); });
  if (ps == phase_status::running) return out;
  if (ps == phase_status::canceled) {
    out.text += "\nInterrupt received.\nPlease wait for Terraform to exit or data loss may occur.\n";
    return out;
  }
  const auto& c = r.plan_counts;
  const auto changes = detail::log_changes(r, c);
  if (changes)
    for (const auto& n : changes->notes) {
      if (js)
        line("warn", "diagnostic", "Warning: tfe did not read part of the configuration", end, [&](json_writer& w) {
          w.key("diagnostic").begin_object().member("severity", "warning");
          w.member("summary", "tfe did not read part of the configuration").member("detail", std::string_view(n));
          w.end_object();
        });
      else out.text += "\nWarning: tfe did not read part of the configuration\n\n" + n + "\n";
    }
  if (r.plan_errored) {
    if (js) {
      const std::string summary = detail::error_summary(r.error_text);
      line("error", "diagnostic", "Error: " + summary, end, [&](json_writer& w) {
        w.key("diagnostic").begin_object().member("severity", "error").member("summary", std::string_view(summary));
        w.member("detail", "").end_object();
      });
    } else {
      out.text += detail::error_block(r.error_text);
    }
    return out;
  }
  if (js) {
    if (changes)
      for (const auto& x : changes->resources) {
        if (x.mode != "managed" || x.action == "no-op") continue;
        const std::string msg = x.address + ": Plan to " + x.action;
        line("info", "planned_change", msg, end, [&](json_writer& w) {
          w.key("change").begin_object();
          detail::json_resource(w, x);
          w.member("action", std::string_view(x.action)).end_object();
        });
      }
    line("info", "change_summary", c.any() ? detail::counts_summary(c) : "No changes.", end, [&](json_writer& w) {
      w.key("changes").begin_object().member("add", c.additions).member("change", c.changes);
      w.member("import", c.imports).member("remove", c.destructions).member("operation", "plan").end_object();
    });
    if (changes && !changes->outputs.empty())
      line("info", "outputs", "Outputs: " + std::to_string(changes->outputs.size()), end,
           [&](json_writer& w) { detail::json_outputs(w, *changes, false); });
    return out;
  }
  if (!c.any()) {
    out.text += "\nNo changes. Your infrastructure matches the configuration.\n";
    return out;
  }
  out.text += "\nTerraform used the selected providers to generate the following execution\nplan. ";
  out.text += "Resource actions are indicated with the following symbols:\n";
  if (c.additions) out.text += "  + create\n";
  if (c.changes) out.text += "  ~ update in-place\n";
  if (c.destructions) out.text += "  - destroy\n";
  if (changes) {
    out.text += "\nTerraform will perform the following actions:\n";
    for (const auto& x : changes->resources)
      if (x.mode == "managed" && x.action != "no-op")
        out.text += "\n  # " + x.address + " " + std::string(detail::plan_verb(x.action)) + "\n";
  }
  out.text += "\n" + detail::counts_summary(c) + "\n";
  return out;
}

/// The apply log of `r` as far as its apply has got (executor log, or Terraform's usual text; JSON log
/// lines after the banner with structured run output).
inline phase_log render_apply_log(const run& r) {
  phase_log out;
  const phase_status as = r.apply_status();
  out.complete = is_final(as);
  if (as == phase_status::pending || as == phase_status::queued || as == phase_status::unreachable) return out;
  if (!r.apply_log.empty() && as != phase_status::running) {
    out.text = r.apply_log;
    return out;
  }
  out.text = "Terraform v" + r.terraform_version + "\non linux_amd64\nInitializing plugins and modules...\n";
  const time_point at = r.entered_at(run_status::applying).value_or(r.created_at);
  const time_point end = r.entered_at(run_status::applied).value_or(r.entered_at(run_status::errored).value_or(at));
  const bool js = r.structured_log;
  auto line = [&](std::string_view level, std::string_view type, std::string_view msg, time_point t, auto&& body) {
    detail::json_log_line(out.text, r, level, type, msg, t, body);
  };
  if (js)
    line("info", "version", "Terraform " + r.terraform_version, at,
         [&](json_writer& w) { w.member("terraform", std::string_view(r.terraform_version)).member("ui", "1.2"); });
  if (as == phase_status::running) return out;
  if (as == phase_status::canceled) {
    out.text += "\nInterrupt received.\nPlease wait for Terraform to exit or data loss may occur.\n";
    return out;
  }
  const auto& c = r.apply_counts;
  const auto changes = detail::log_changes(r, c);
  if (changes)
    for (const auto& x : changes->resources) {
      if (x.mode != "managed" || x.action == "no-op") continue;
      if (js) {
        line("info", "apply_start", x.address + ": " + detail::verb(x.action, false), at, [&](json_writer& w) {
          w.key("hook").begin_object();
          detail::json_resource(w, x);
          w.member("action", std::string_view(x.action)).end_object();
        });
        const std::string done = x.address + ": " + detail::verb(x.action, true) + " after 0s" +
                                 (x.action == "delete" ? "" : " [id=" + x.address + "]");
        line("info", "apply_complete", done, end, [&](json_writer& w) {
          w.key("hook").begin_object();
          detail::json_resource(w, x);
          w.member("action", std::string_view(x.action));
          if (x.action != "delete") w.member("id_key", "id").member("id_value", std::string_view(x.address));
          w.member("elapsed_seconds", std::int64_t{0}).end_object();
        });
      } else {
        out.text += x.address + ": " + detail::verb(x.action, false) + "\n";
        out.text += x.address + ": " + detail::verb(x.action, true) + " after 0s" +
                    (x.action == "delete" ? "" : " [id=" + x.address + "]") + "\n";
      }
    }
  if (r.apply_errored) {
    if (js) {
      const std::string summary = detail::error_summary(r.error_text);
      line("error", "diagnostic", "Error: " + summary, end, [&](json_writer& w) {
        w.key("diagnostic").begin_object().member("severity", "error").member("summary", std::string_view(summary));
        w.member("detail", "").end_object();
      });
    } else {
      out.text += detail::error_block(r.error_text);
    }
    return out;
  }
  const std::string summary = detail::apply_summary(r, c);
  if (js) {
    line("info", "change_summary", summary, end, [&](json_writer& w) {
      w.key("changes").begin_object().member("add", c.additions).member("change", c.changes);
      w.member("import", c.imports).member("remove", c.destructions);
      w.member("operation", r.is_destroy ? "destroy" : "apply").end_object();
    });
    if (changes && !r.is_destroy)
      line("info", "outputs", "Outputs: " + std::to_string(changes->outputs.size()), end,
           [&](json_writer& w) { detail::json_outputs(w, *changes, true); });
    return out;
  }
  out.text += "\n" + summary + "\n";
  if (changes && !r.is_destroy) {
    bool any = false;
    for (const auto& o : changes->outputs) {
      if (o.action == "delete") continue;
      if (!any) out.text += "\nOutputs:\n\n";
      any = true;
      out.text += o.name + " = " +
                  (o.sensitive       ? std::string("<sensitive>")
                   : o.value.empty() ? "null"
                                     : o.value) +
                  "\n";
    }
  }
  return out;
}

}  // namespace tfe

#endif  // TFE_POLICIES_TERRAFORM_LOG_HPP
