// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// basic_test_controls<Api>: fault injection and the request journal as a layer around an API.
#ifndef TFE_TESTING_CONTROLS_HPP
#define TFE_TESTING_CONTROLS_HPP

#include <tfe/api/http_message.hpp>
#include <tfe/testing/faulted_response.hpp>
#include <tfe/testing/faults.hpp>
#include <tfe/testing/journal.hpp>

#include <cstddef>
#include <optional>
#include <utility>

namespace tfe {

/// An API (a basic_api) with test controls in front (docs/testing.md#faults, #journal): a fault rule
/// that fires answers instead of the API (a status) or marks the answer for the transport (latency, a
/// dropped connection, a cut body); every request and its answer go to the journal when it has a
/// capacity. Hosts that want neither use basic_api alone and pay nothing for them.
template <class Api>
class basic_test_controls {
 public:
  using api_type = Api;                           ///< the API served
  using engine_type = typename Api::engine_type;  ///< the engine behind the API

  /// Constructs the wrapped API from `args` (e.g. the engine and api_options).
  template <class... Args>
  explicit basic_test_controls(Args&&... args) : api_(std::forward<Args>(args)...) {}

  /// Handles one request: a fault rule that fires decides the answer or its delivery; the rest is the
  /// API's answer. Never throws for bad input.
  faulted_response handle(const http_request& req) {
    std::optional<fault_rule> fault;
    if (faults_.active()) fault = faults_.match(req.method, req.path());
    faulted_response res;
    if (fault && fault->status) {
      if (api_.options().poll_engine) api_.engine().poll();
      res = api_.finish(fault_response(*fault), req);
    } else {
      res = api_.handle(req);
    }
    if (fault) {
      res.delay = fault->latency;
      res.fault = fault->transport;
    }
    if (journal_.enabled()) journal_.record(req, res, api_.engine().now(), fault.has_value());
    return res;
  }

  /// The fault rules consulted for every request (docs/testing.md#faults).
  fault_injector& faults() noexcept { return faults_; }
  /// The record of served requests; empty until journal().set_capacity() gives it room.
  request_journal& journal() noexcept { return journal_; }
  /// The wrapped API.
  Api& api() noexcept { return api_; }
  /// The engine served.
  engine_type& engine() noexcept { return api_.engine(); }
  /// The wrapped API's settings.
  const auto& options() const noexcept { return api_.options(); }

 private:
  Api api_;
  fault_injector faults_;
  request_journal journal_;
};

}  // namespace tfe

#endif  // TFE_TESTING_CONTROLS_HPP
