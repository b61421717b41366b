#include "common/test_paths.h"

namespace consentd::testing {

const char* SourceDir() { return CONSENTD_SOURCE_DIR; }
const char* BuildDir() { return CONSENTD_BUILD_DIR; }

}  // namespace consentd::testing
