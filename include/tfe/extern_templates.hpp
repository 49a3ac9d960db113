// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// With TFE_EXTERN_TEMPLATES, the engine and the API over the shipped policy sets are not compiled in
// every translation unit: their members come from the compiled unit (CMake target tfe::compiled).
#ifndef TFE_EXTERN_TEMPLATES_HPP
#define TFE_EXTERN_TEMPLATES_HPP

#include <tfe/api/handler.hpp>
#include <tfe/engine/engine.hpp>
#include <tfe/engine/policy_set.hpp>

#if defined(TFE_EXTERN_TEMPLATES)
namespace tfe {
// Defined (explicitly instantiated) in src/tfe_compiled.cpp.
extern template class basic_engine<default_policies>;
extern template class basic_engine<test_policies>;
extern template class basic_api<basic_engine<default_policies>>;
extern template class basic_api<basic_engine<test_policies>>;
}  // namespace tfe
#endif

#endif  // TFE_EXTERN_TEMPLATES_HPP
