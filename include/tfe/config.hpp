// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// Feature detection (exceptions, concepts) and the overridable TFE_ASSERT.
#ifndef TFE_CONFIG_HPP
#define TFE_CONFIG_HPP

#include <cstdlib>

// Exceptions: the core never throws for API outcomes; it only forwards what the
// standard library throws. With -fno-exceptions, misuse (value() on an error)
// ends in TFE_ASSERT instead of bad_result_access.
#if defined(__cpp_exceptions) || defined(__EXCEPTIONS) || defined(_CPPUNWIND)
#define TFE_HAS_EXCEPTIONS 1
#else
#define TFE_HAS_EXCEPTIONS 0
#endif

// Concepts wrap the C++17 traits; the traits are the single source of truth.
#if defined(__cpp_concepts) && __cpp_concepts >= 201907L && !defined(TFE_NO_CONCEPTS)
#define TFE_HAS_CONCEPTS 1
#else
#define TFE_HAS_CONCEPTS 0
#endif

// TFE_ASSERT(cond): checks a precondition. Define it before including tfe to
// route failures to your own handler.
#ifndef TFE_ASSERT
#define TFE_ASSERT(cond) ((cond) ? static_cast<void>(0) : std::abort())
#endif

#endif  // TFE_CONFIG_HPP
