#pragma once

// Where the tests find the source tree (docs, vectors, fixtures) and the build tree (the
// binaries they run). Test-only: the library consentd_test_paths is built with the tests.
//
// The two paths are compiled into one small file (test_paths.cc), not into every test as macros,
// so that the compiler cache hits for every other file when the same sources are built in a
// checkout at another path (docs/DEVELOPMENT.md, "Build times").

namespace consentd::testing {

// The repository root, absolute, without a trailing slash.
const char* SourceDir();
// The CMake build directory the tests were built in, absolute, without a trailing slash.
const char* BuildDir();

}  // namespace consentd::testing
