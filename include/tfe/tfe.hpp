// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// The umbrella header: everything in the core (no OS adapters).
#ifndef TFE_TFE_HPP
#define TFE_TFE_HPP

#include <tfe/api/auth.hpp>
#include <tfe/api/error_document.hpp>
#include <tfe/api/handler.hpp>
#include <tfe/api/http_message.hpp>
#include <tfe/api/query.hpp>
#include <tfe/api/request_document.hpp>
#include <tfe/api/router.hpp>
#include <tfe/api/serializers.hpp>
#include <tfe/config.hpp>
#include <tfe/detail/base64.hpp>
#include <tfe/detail/crc32.hpp>
#include <tfe/engine/engine.hpp>
#include <tfe/engine/options.hpp>
#include <tfe/engine/pagination.hpp>
#include <tfe/engine/policy_set.hpp>
#include <tfe/engine/state_document.hpp>
#include <tfe/extern_templates.hpp>
#include <tfe/json.hpp>
#include <tfe/json_writer.hpp>
#include <tfe/lifecycle/run_state_machine.hpp>
#include <tfe/lifecycle/run_status.hpp>
#include <tfe/model/codec.hpp>
#include <tfe/model/configuration_version.hpp>
#include <tfe/model/execution_mode.hpp>
#include <tfe/model/field.hpp>
#include <tfe/model/ids.hpp>
#include <tfe/model/organization.hpp>
#include <tfe/model/run.hpp>
#include <tfe/model/time.hpp>
#include <tfe/model/workspace.hpp>
#include <tfe/policies/clock.hpp>
#include <tfe/policies/executor.hpp>
#include <tfe/policies/features.hpp>
#include <tfe/policies/id_generator.hpp>
#include <tfe/policies/journal_storage.hpp>
#include <tfe/policies/mutex.hpp>
#include <tfe/policies/storage.hpp>
#include <tfe/policies/terraform_log.hpp>
#include <tfe/result.hpp>
#include <tfe/testing/admin.hpp>
#include <tfe/testing/controls.hpp>
#include <tfe/testing/faulted_response.hpp>
#include <tfe/testing/faults.hpp>
#include <tfe/testing/journal.hpp>
#include <tfe/testing/stepping.hpp>
#include <tfe/transport/in_process.hpp>
#include <tfe/version.hpp>

#endif  // TFE_TFE_HPP
