// tfe - an embeddable Terraform Enterprise Runs engine
// SPDX-License-Identifier: MIT
// The compiled unit (CMake target tfe::compiled): the engine and the API over the shipped policy sets,
// instantiated once. Translation units built with TFE_EXTERN_TEMPLATES (which tfe::compiled passes on)
// use these instead of compiling their own (docs/performance.md#compile-time). Header-only use needs
// none of this.
#include <tfe/tfe.hpp>

namespace tfe {
template class basic_engine<default_policies>;
template class basic_engine<test_policies>;
template class basic_api<basic_engine<default_policies>>;
template class basic_api<basic_engine<test_policies>>;
}  // namespace tfe
