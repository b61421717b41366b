#pragma once

// Path strings, without touching the file system.

#include <string>

namespace consentd {

// The directory part of `path` ("." when it has none, "/" for a file at the root).
inline std::string DirName(const std::string& path) {
  const auto slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace consentd
