// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// A response with the transport-level fault a test asked for: latency, a dropped connection or a cut body.
#ifndef TFE_TESTING_FAULTED_RESPONSE_HPP
#define TFE_TESTING_FAULTED_RESPONSE_HPP

#include <tfe/api/http_message.hpp>

#include <chrono>
#include <cstdint>
#include <utility>

namespace tfe {

/// A fault the transport should inject into a response (tfe::fault_rule).
enum class transport_fault : std::uint8_t {
  none,             ///< write the response normally
  drop_connection,  ///< close the connection without writing the response
  truncate_body,    ///< write the headers and half the body, then close
};

/// An http_response plus what the transport must do to it: the test controls layer answers these and
/// transports that honour faults (posix_http_server) carry them out; in-process callers read the fields.
struct faulted_response : http_response {
  std::chrono::milliseconds delay{0};             ///< injected latency: wait this long before writing
  transport_fault fault = transport_fault::none;  ///< injected transport fault

  faulted_response() = default;
  /// A response without faults.
  faulted_response(http_response r) : http_response(std::move(r)) {}  // NOLINT: implicit by design
};

}  // namespace tfe

#endif  // TFE_TESTING_FAULTED_RESPONSE_HPP
