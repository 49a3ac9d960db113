// Two translation units include all of tfe; linking them proves every
// non-template function in the headers is inline.
#include <tfe/tfe.hpp>

int odr_b();

int main() { return odr_b() == 42 ? 0 : 1; }
