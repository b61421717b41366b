#pragma once

// StaticFiles: the read-only file tree of the web app (http.ui_dir) that the HTTP server serves
// under /ui/ (docs/UI.md). Only regular files below the root are served: a request path is
// checked segment by segment (no "..", ".", empty or hidden segments, no backslash, NUL or
// percent left after decoding), resolved with realpath and must still lie inside the root
// (so a symlink cannot lead out), and only known extensions are served, each with a fixed
// content type. Every answer carries the app's Content-Security-Policy (kContentSecurityPolicy):
// scripts, styles and connections from the node itself only.
//
// Thread-safety: immutable after construction; Read may be called from any thread.

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace consentd::node::http {

inline constexpr const char* kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; manifest-src 'self'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'";

struct StaticFile {
  std::string content_type;
  std::string body;
};

class StaticFiles {
 public:
  // `root` must be an existing directory. Errors: "ui_dir_invalid".
  static Result<StaticFiles> Open(const std::string& root);

  // `relative` is the decoded path after "/ui/" ("" and names ending in "/" mean index.html in
  // that directory). Errors: "not_found" (missing, not a regular file, outside the root, an
  // unknown extension), "bad_path" (a path that is never valid), "too_large".
  Result<StaticFile> Read(std::string_view relative) const;

  // The content type for a file name by its extension; "" when the extension is not served.
  static std::string ContentTypeFor(std::string_view name);

 private:
  explicit StaticFiles(std::string root) : root_(std::move(root)) {}
  std::string root_;  // realpath of the root, without a trailing slash
};

}  // namespace consentd::node::http
