// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// result<T>: a value or a tfe::error (the std::expected subset), errc and its HTTP mapping.
#ifndef TFE_RESULT_HPP
#define TFE_RESULT_HPP

#include <tfe/config.hpp>
#include <tfe/detail/enum_names.hpp>

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <new>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#if TFE_HAS_EXCEPTIONS
#include <exception>
#endif

namespace tfe {

/// Why an operation failed; each code maps to one HTTP status (see http_status()).
enum class errc : std::uint8_t {
  not_found,               ///< the resource does not exist (or is hidden): 404
  conflict,                ///< refused state transition or lock conflict: 409
  validation_failed,       ///< well-formed but invalid input: 422
  parse_error,             ///< malformed JSON or body: 400
  bad_request,             ///< bad query parameter or request shape: 400
  unauthorized,            ///< missing or invalid token: 401
  forbidden,               ///< preconditions TFE reports as 403 (force-execute): 403
  method_not_allowed,      ///< known path, wrong method: 405
  payload_too_large,       ///< body or document over a configured limit: 413
  unsupported_media_type,  ///< wrong Content-Type on a mutating call: 415
  header_too_large,        ///< request line or headers over the limit: 431
  rate_limited,            ///< too many requests: 429
  storage_failure,         ///< the storage policy failed: 500
  internal,                ///< a bug or an unexpected state: 500
  unavailable,             ///< the engine or server is shutting down: 503
};

namespace detail {
/// The C++ names of errc ("not_found"), in enumerator order.
template <>
struct enum_names<errc> {
  static constexpr std::string_view value[] = {
      "not_found",        "conflict",     "validation_failed",  "parse_error",       "bad_request",
      "unauthorized",     "forbidden",    "method_not_allowed", "payload_too_large", "unsupported_media_type",
      "header_too_large", "rate_limited", "storage_failure",    "internal",          "unavailable",
  };
};
/// The JSON:API error `title` of each errc, in enumerator order.
inline constexpr std::string_view errc_titles[] = {
    "not found",
    "transition not allowed",
    "invalid attribute",
    "malformed request body",
    "bad request",
    "unauthorized",
    "forbidden",
    "method not allowed",
    "payload too large",
    "unsupported media type",
    "request header fields too large",
    "Too many requests",
    "storage failure",
    "internal server error",
    "service unavailable",
};
/// The HTTP status of each errc, in enumerator order (the table in docs/errors.md).
inline constexpr int errc_statuses[] = {404, 409, 422, 400, 400, 401, 403, 405, 413, 415, 431, 429, 500, 500, 503};
}  // namespace detail
static_assert(detail::enum_count<errc> == static_cast<std::size_t>(errc::unavailable) + 1,
              "errc: the name table must list every enumerator");
static_assert(std::size(detail::errc_titles) == detail::enum_count<errc> &&
                  std::size(detail::errc_statuses) == detail::enum_count<errc>,
              "errc: the title and status tables must list every enumerator");

/// The HTTP status real TFE uses for an error code (the table in docs/errors.md).
constexpr int http_status(errc code) noexcept {
  const auto i = static_cast<std::size_t>(code);
  TFE_ASSERT(i < std::size(detail::errc_statuses));
  return i < std::size(detail::errc_statuses) ? detail::errc_statuses[i] : 500;
}

/// The code's name as spelled in C++ ("not_found").
constexpr std::string_view to_string(errc code) noexcept { return detail::enum_name(code); }

/// The JSON:API error `title` used for a code when the error carries none.
constexpr std::string_view default_title(errc code) noexcept { return detail::enum_lookup(detail::errc_titles, code); }

/// Where in a text input an error was found (byte offset, 1-based line and column).
struct text_position {
  std::size_t offset = 0;  ///< bytes from the start of the input
  std::size_t line = 0;    ///< 1-based line; 0 when unknown
  std::size_t column = 0;  ///< 1-based column in bytes; 0 when unknown
};

/// A failed operation: what kind, a human-readable message, and where.
struct error {
  errc code = errc::internal;  ///< the kind of failure
  std::string message;         ///< detail for humans (becomes JSON:API `detail`)
  std::string pointer;         ///< optional JSON pointer into the request, e.g. /data/attributes/name
  text_position position;      ///< for parse errors: where in the input
  std::string title;           ///< JSON:API `title` when the code's default_title() would not say what is wrong

  /// An error with a code and message.
  error() = default;
  /// An error with a code, message and optional source pointer.
  error(errc c, std::string msg, std::string ptr = {}) : code(c), message(std::move(msg)), pointer(std::move(ptr)) {}
};

/// Equality of code, message and pointer (the position is informational).
inline bool operator==(const error& a, const error& b) noexcept {
  return a.code == b.code && a.message == b.message && a.pointer == b.pointer;
}
/// Inequality of code, message or pointer.
inline bool operator!=(const error& a, const error& b) noexcept { return !(a == b); }

#if TFE_HAS_EXCEPTIONS
/// Thrown by result<T>::value() when the result holds an error (exceptions builds only).
class bad_result_access : public std::exception {
 public:
  /// Wraps the error that was accessed as a value.
  explicit bad_result_access(tfe::error e) : error_(std::move(e)) {}
  /// The error the result held.
  const tfe::error& error() const noexcept { return error_; }
  /// The error's message.
  const char* what() const noexcept override { return error_.message.c_str(); }

 private:
  tfe::error error_;
};
#endif

/// Tag-wrapper that makes an error constructible into any result<T> (like std::unexpected).
struct unexpected {
  tfe::error value;  ///< the wrapped error
};

/// Builds an unexpected error for returning from a function that returns result<T>.
inline unexpected make_error(errc code, std::string message, std::string pointer = {}) {
  return unexpected{error{code, std::move(message), std::move(pointer)}};
}

/// The same with a JSON:API title of its own (e.g. "wrong resource type" for a 409 that is not a
/// refused transition).
inline unexpected make_titled_error(errc code, std::string title, std::string message, std::string pointer = {}) {
  error e{code, std::move(message), std::move(pointer)};
  e.title = std::move(title);
  return unexpected{std::move(e)};
}

namespace detail {
[[noreturn]] inline void throw_bad_result_access(const error& e) {
#if TFE_HAS_EXCEPTIONS
  throw bad_result_access(e);
#else
  (void)e;
  TFE_ASSERT(false && "value() called on a result holding an error");
  std::abort();
#endif
}
}  // namespace detail

/// A value of type T or an error: the subset of C++23 std::expected<T, tfe::error> tfe uses.
template <class T>
class [[nodiscard]] result {
  static_assert(!std::is_reference_v<T>, "result<T&> is not supported");
  static_assert(!std::is_same_v<std::decay_t<T>, tfe::error>, "result<error> is ambiguous");

 public:
  using value_type = T;  ///< the success type

  /// A default-constructed value (only when T is default constructible).
  template <class U = T, std::enable_if_t<std::is_default_constructible_v<U>, int> = 0>
  result() : has_(true) {
    ::new (static_cast<void*>(&storage_.value)) T();
  }
  /// Success holding `v`.
  template <class U = T, std::enable_if_t<std::is_constructible_v<T, U&&> && !std::is_same_v<std::decay_t<U>, result> &&
                                              !std::is_same_v<std::decay_t<U>, unexpected> &&
                                              !std::is_same_v<std::decay_t<U>, tfe::error>,
                                          int> = 0>
  result(U&& v) : has_(true) {  // NOLINT: implicit like std::expected
    ::new (static_cast<void*>(&storage_.value)) T(std::forward<U>(v));
  }
  /// Failure holding `e`.
  result(unexpected e) : has_(false) {  // NOLINT: implicit like std::expected
    ::new (static_cast<void*>(&storage_.err)) tfe::error(std::move(e.value));
  }
  /// Failure holding `e`.
  result(tfe::error e) : has_(false) {  // NOLINT
    ::new (static_cast<void*>(&storage_.err)) tfe::error(std::move(e));
  }
  /// Copy.
  result(const result& o) : has_(o.has_) {
    if (has_) ::new (static_cast<void*>(&storage_.value)) T(o.storage_.value);
    else ::new (static_cast<void*>(&storage_.err)) tfe::error(o.storage_.err);
  }
  /// Move.
  result(result&& o) noexcept(std::is_nothrow_move_constructible_v<T>) : has_(o.has_) {
    if (has_) ::new (static_cast<void*>(&storage_.value)) T(std::move(o.storage_.value));
    else ::new (static_cast<void*>(&storage_.err)) tfe::error(std::move(o.storage_.err));
  }
  /// Copy-assign.
  result& operator=(const result& o) {
    if (this != &o) {
      destroy();
      construct_from(o);
    }
    return *this;
  }
  /// Move-assign.
  result& operator=(result&& o) noexcept(std::is_nothrow_move_constructible_v<T>) {
    if (this != &o) {
      destroy();
      construct_from(std::move(o));
    }
    return *this;
  }
  ~result() { destroy(); }

  /// True when a value is held.
  bool has_value() const noexcept { return has_; }
  /// True when a value is held.
  explicit operator bool() const noexcept { return has_; }

  /// The value; throws bad_result_access (or asserts) when an error is held.
  T& value() & {
    if (!has_) detail::throw_bad_result_access(storage_.err);
    return storage_.value;
  }
  /// The value; throws bad_result_access (or asserts) when an error is held.
  const T& value() const& {
    if (!has_) detail::throw_bad_result_access(storage_.err);
    return storage_.value;
  }
  /// The value, moved out; throws bad_result_access (or asserts) when an error is held.
  T&& value() && {
    if (!has_) detail::throw_bad_result_access(storage_.err);
    return std::move(storage_.value);
  }

  /// The error; precondition: !has_value().
  const tfe::error& error() const& noexcept {
    TFE_ASSERT(!has_);
    return storage_.err;
  }
  /// The error, moved out; precondition: !has_value().
  tfe::error&& error() && noexcept {
    TFE_ASSERT(!has_);
    return std::move(storage_.err);
  }

  /// The value, or `fallback` when an error is held.
  template <class U>
  T value_or(U&& fallback) const& {
    return has_ ? storage_.value : static_cast<T>(std::forward<U>(fallback));
  }
  /// The value (moved), or `fallback` when an error is held.
  template <class U>
  T value_or(U&& fallback) && {
    return has_ ? std::move(storage_.value) : static_cast<T>(std::forward<U>(fallback));
  }

  /// Unchecked access; precondition: has_value().
  T& operator*() & noexcept {
    TFE_ASSERT(has_);
    return storage_.value;
  }
  /// Unchecked access; precondition: has_value().
  const T& operator*() const& noexcept {
    TFE_ASSERT(has_);
    return storage_.value;
  }
  /// Unchecked access, moved out; precondition: has_value().
  T&& operator*() && noexcept {
    TFE_ASSERT(has_);
    return std::move(storage_.value);
  }
  /// Member access; precondition: has_value().
  T* operator->() noexcept {
    TFE_ASSERT(has_);
    return &storage_.value;
  }
  /// Member access; precondition: has_value().
  const T* operator->() const noexcept {
    TFE_ASSERT(has_);
    return &storage_.value;
  }

 private:
  void destroy() noexcept {
    if (has_) storage_.value.~T();
    else storage_.err.~error();
  }
  template <class R>
  void construct_from(R&& o) {
    has_ = o.has_;
    if (has_) ::new (static_cast<void*>(&storage_.value)) T(std::forward<R>(o).storage_.value);
    else ::new (static_cast<void*>(&storage_.err)) tfe::error(std::forward<R>(o).storage_.err);
  }

  union storage {
    storage() {}
    ~storage() {}
    T value;
    tfe::error err;
  } storage_;
  bool has_;
};

/// Success or an error, with no value (std::expected<void, error>).
template <>
class [[nodiscard]] result<void> {
 public:
  using value_type = void;  ///< the success type
  /// Success.
  result() = default;
  /// Failure holding `e`.
  result(unexpected e) : has_(false), err_(std::move(e.value)) {}  // NOLINT
  /// Failure holding `e`.
  result(tfe::error e) : has_(false), err_(std::move(e)) {}  // NOLINT

  /// True on success.
  bool has_value() const noexcept { return has_; }
  /// True on success.
  explicit operator bool() const noexcept { return has_; }
  /// Checks for success; throws bad_result_access (or asserts) on error.
  void value() const {
    if (!has_) detail::throw_bad_result_access(err_);
  }
  /// The error; precondition: !has_value().
  const tfe::error& error() const& noexcept {
    TFE_ASSERT(!has_);
    return err_;
  }
  /// The error, moved out; precondition: !has_value().
  tfe::error&& error() && noexcept {
    TFE_ASSERT(!has_);
    return std::move(err_);
  }

 private:
  bool has_ = true;
  tfe::error err_;
};

}  // namespace tfe

#endif  // TFE_RESULT_HPP
