// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// Picks the Catch2 header: v3 (catch2/catch_all.hpp) when present, else v2 (catch2/catch.hpp).
// Tests use only the subset both versions share.
#ifndef TFE_TESTS_SUPPORT_CATCH_HPP
#define TFE_TESTS_SUPPORT_CATCH_HPP

#if defined(TFE_CATCH2_V3)
#include <catch2/catch_all.hpp>
#elif __has_include(<catch2/catch.hpp>)
#include <catch2/catch.hpp>
#else
#include <catch2/catch_all.hpp>
#endif

#endif  // TFE_TESTS_SUPPORT_CATCH_HPP
