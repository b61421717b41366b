#include <cstdio>
#include <cstdlib>

#include "fuzz/targets.h"

namespace consentd::fuzz {

void FuzzCheck(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "fuzz invariant broken: %s\n", what);
  std::abort();
}

}  // namespace consentd::fuzz
