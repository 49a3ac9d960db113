// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// The text of plan and apply logs: what the executor reported, or the output Terraform would print.
#ifndef TFE_POLICIES_TERRAFORM_LOG_HPP
#define TFE_POLICIES_TERRAFORM_LOG_HPP

#include <tfe/lifecycle/run_status.hpp>
#include <tfe/model/run.hpp>

#include <string>

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
}  // namespace detail

/// The plan log of `r` as far as its plan has got: the executor's own log when it gave one, else the
/// text Terraform prints (version banner, the changes and the "Plan:" summary, or the error).
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
  if (ps == phase_status::running) return out;
  if (ps == phase_status::canceled) {
    out.text += "\nInterrupt received.\nPlease wait for Terraform to exit or data loss may occur.\n";
    return out;
  }
  if (r.plan_errored) {
    out.text += detail::error_block(r.error_text);
    return out;
  }
  const auto& c = r.plan_counts;
  if (!c.any()) {
    out.text += "\nNo changes. Your infrastructure matches the configuration.\n";
    return out;
  }
  out.text += "\nTerraform used the selected providers to generate the following execution\nplan. ";
  out.text += "Resource actions are indicated with the following symbols:\n";
  if (c.additions) out.text += "  + create\n";
  if (c.changes) out.text += "  ~ update in-place\n";
  if (c.destructions) out.text += "  - destroy\n";
  out.text += "\nPlan: " + std::to_string(c.additions) + " to add, " + std::to_string(c.changes) + " to change, " +
              std::to_string(c.destructions) + " to destroy.\n";
  return out;
}

/// The apply log of `r` as far as its apply has got (executor log, or Terraform's usual text).
inline phase_log render_apply_log(const run& r) {
  phase_log out;
  const phase_status as = r.apply_status();
  out.complete = is_final(as);
  if (as == phase_status::pending || as == phase_status::queued || as == phase_status::unreachable) return out;
  if (!r.apply_log.empty() && as != phase_status::running) {
    out.text = r.apply_log;
    return out;
  }
  out.text = "Terraform v" + r.terraform_version + "\non linux_amd64\n";
  if (as == phase_status::running) return out;
  if (as == phase_status::canceled) {
    out.text += "\nInterrupt received.\nPlease wait for Terraform to exit or data loss may occur.\n";
    return out;
  }
  if (r.apply_errored) {
    out.text += detail::error_block(r.error_text);
    return out;
  }
  const auto& c = r.apply_counts;
  if (r.is_destroy) out.text += "\nDestroy complete! Resources: " + std::to_string(c.destructions) + " destroyed.\n";
  else
    out.text += "\nApply complete! Resources: " + std::to_string(c.additions) + " added, " + std::to_string(c.changes) +
                " changed, " + std::to_string(c.destructions) + " destroyed.\n";
  return out;
}

}  // namespace tfe

#endif  // TFE_POLICIES_TERRAFORM_LOG_HPP
