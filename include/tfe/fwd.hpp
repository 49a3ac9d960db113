// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// Declarations only: the names a header needs to pass tfe's types around, at almost no compile cost.
#ifndef TFE_FWD_HPP
#define TFE_FWD_HPP

#include <cstdint>

namespace tfe {

// values and errors
class json;
class json_writer;
struct error;
template <class T>
class result;
enum class errc : std::uint8_t;

// model and lifecycle
class resource_id;
struct organization;
struct organization_options;
struct workspace;
struct workspace_options;
struct configuration_version;
struct configuration_version_options;
struct run;
struct run_options;
struct run_comment;
enum class run_status : std::uint8_t;
enum class run_event : std::uint8_t;
enum class execution_mode : std::uint8_t;

// policies
struct default_policies;
struct test_policies;
class memory_storage;
class journal_storage;
class manual_clock;
struct system_clock_policy;
class random_ids;
class sequential_ids;
class simulated_executor;
struct null_mutex;

// engine, API, test controls, transports
struct engine_options;
template <class Policies>
class basic_engine;
struct http_request;
struct http_response;
struct faulted_response;
struct api_options;
template <class Engine>
class basic_api;
template <class Api>
class basic_test_controls;
struct admin_options;
template <class Api>
class basic_admin_api;
template <class Handler>
class in_process_transport;

/// The engine with the default policies (tfe/engine/engine.hpp).
using engine = basic_engine<default_policies>;
/// The API over the default engine (tfe/api/handler.hpp).
using api = basic_api<engine>;

}  // namespace tfe

#endif  // TFE_FWD_HPP
