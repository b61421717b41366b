#include "node/http/static_files.h"

#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <fstream>
#include <iterator>
#include <optional>
#include <utility>

namespace consentd::node::http {
namespace {

// The web app's files are small; a bound keeps a stray large file from pinning a worker.
constexpr std::uintmax_t kMaxFileBytes = 8 << 20;

struct Type {
  std::string_view ext;
  std::string_view content_type;
};
constexpr Type kTypes[] = {
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".ico", "image/x-icon"},
    {".txt", "text/plain; charset=utf-8"},
    {".webmanifest", "application/manifest+json"},
};

std::optional<std::string> RealPath(const std::string& path) {
  char buf[PATH_MAX];
  if (::realpath(path.c_str(), buf) == nullptr) return std::nullopt;
  return std::string(buf);
}

// A segment of a served path: not empty, not "." or "..", not hidden, printable ASCII without
// backslash or percent (the path arrives decoded; a "%" left over means double encoding).
bool ValidSegment(std::string_view s) {
  if (s.empty() || s[0] == '.') return false;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || c == '\\' || c == '%' || c == ':') return false;
  }
  return true;
}

}  // namespace

std::string StaticFiles::ContentTypeFor(std::string_view name) {
  for (const Type& t : kTypes) {
    if (name.size() > t.ext.size() && name.ends_with(t.ext)) return std::string(t.content_type);
  }
  return {};
}

Result<StaticFiles> StaticFiles::Open(const std::string& root) {
  auto real = RealPath(root);
  struct stat st {};
  if (!real || ::stat(real->c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return Status::Error(Reason::kUiDirInvalid, "http.ui_dir " + root + " is not a directory");
  }
  while (real->size() > 1 && real->back() == '/') real->pop_back();
  return StaticFiles(std::move(*real));
}

Result<StaticFile> StaticFiles::Read(std::string_view relative) const {
  auto not_found = [] { return Status::Error(Reason::kNotFound, "no such file"); };
  if (relative.size() > 512) return Status::Error(Reason::kBadRequest, "the path is too long");
  std::string path(relative);
  if (path.empty() || path.back() == '/') path += "index.html";
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t slash = path.find('/', start);
    const std::size_t end = slash == std::string::npos ? path.size() : slash;
    if (!ValidSegment(std::string_view(path).substr(start, end - start))) {
      return Status::Error(Reason::kBadRequest, "the path has an invalid segment");
    }
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  std::string type = ContentTypeFor(path);
  if (type.empty()) return not_found();

  // realpath resolves symlinks: whatever the path names must still lie inside the root.
  auto real = RealPath(root_ + "/" + path);
  if (!real || !real->starts_with(root_ + "/")) return not_found();
  struct stat st {};
  if (::stat(real->c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return not_found();
  if (static_cast<std::uintmax_t>(st.st_size) > kMaxFileBytes) return not_found();
  std::ifstream in(*real, std::ios::binary);
  if (!in) return not_found();
  StaticFile file;
  file.content_type = std::move(type);
  file.body.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (in.bad()) return not_found();
  return file;
}

}  // namespace consentd::node::http
