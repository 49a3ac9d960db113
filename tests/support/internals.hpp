#pragma once
// The library's internals (tfe::detail) for tests and fuzz targets. Through <tfe/tfe.hpp>, so that
// a build against single_include/ (which holds no separate detail headers) compiles them too.
#include <tfe/tfe.hpp>
