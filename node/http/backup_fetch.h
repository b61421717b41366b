#pragma once

// The client side of GET /v1/admin/backup, for `consentd backup` (node/backup.h): fetches a
// running node's backup stream into `sink`.

#include <functional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace consentd::node::http {

// Streams the backup of the node at `url` (e.g. "http://127.0.0.1:8601") to `sink`, which
// returns false to abort. Errors: "backup_bad_url", "backup_unreachable", "backup_refused"
// (a non-200 answer, with its status and body), "backup_io" (the sink refused).
Status FetchBackup(const std::string& url, const std::string& token,
                   const std::function<bool(std::string_view)>& sink);

}  // namespace consentd::node::http
