#include "node/http/backup_fetch.h"

#include <httplib.h>

#include <algorithm>

namespace consentd::node::http {

Status FetchBackup(const std::string& url, const std::string& token,
                   const std::function<bool(std::string_view)>& sink) {
  httplib::Client client(url);
  if (!client.is_valid()) return Status::Error(Reason::kBackupBadUrl, "cannot use node URL " + url);
  client.set_connection_timeout(5, 0);
  client.set_read_timeout(300, 0);
  int status = 0;
  bool sink_failed = false;
  std::string error_body;
  auto res = client.Get(
      "/v1/admin/backup", httplib::Headers{{"Authorization", "Bearer " + token}},
      [&](const httplib::Response& r) {
        status = r.status;
        return true;
      },
      [&](const char* data, std::size_t n) {
        if (status != 200) {
          if (error_body.size() < 4096) error_body.append(data, std::min<std::size_t>(n, 4096));
          return true;
        }
        sink_failed = !sink(std::string_view(data, n));
        return !sink_failed;
      });
  if (sink_failed) return Status::Error(Reason::kBackupIo, "cannot write the backup file");
  if (!res) {
    return Status::Error(Reason::kBackupUnreachable, "cannot fetch the backup from " + url + ": " +
                                                         httplib::to_string(res.error()));
  }
  if (status != 200) {
    return Status::Error(Reason::kBackupRefused,
                         "the node answered " + std::to_string(status) + ": " + error_body);
  }
  return Status::Ok();
}

}  // namespace consentd::node::http
