#pragma once

// Small file helpers with the durability the node needs: WriteFileAtomic leaves either the old
// content or the new, never a torn file, even across a power cut (write a temporary file, fsync
// it, rename it over the target, fsync the directory).

#include <sys/types.h>

#include <string>
#include <string_view>

#include "common/path.h"  // DirName
#include "common/result.h"

namespace consentd {

// Errors: "file_write" naming the path and the system error.
Status WriteFileAtomic(const std::string& path, std::string_view data, mode_t mode = 0644);
// Errors: "file_read" (missing or unreadable), "file_too_large".
Result<std::string> ReadFile(const std::string& path, std::size_t max_bytes = 64 << 20);
// fsyncs a directory so a rename or creation inside it is durable. Errors: "file_write".
Status SyncDirectory(const std::string& dir);

}  // namespace consentd
