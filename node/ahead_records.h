#pragma once

// AheadRecords: the WAL records (received proposals and votes) of heights above the replica's,
// kept aside because the WAL is reset at each commit and they must outlive it (NodeCore). They
// come from peers before any signature check, so what is kept is bounded by count and by bytes;
// past either bound a record is not kept (the WAL still has it until the next reset, and peers
// re-send their messages of a height that does not decide).
//
// Thread-compatible: NodeCore's thread only.

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"

namespace consentd::node {

class AheadRecords {
 public:
  AheadRecords(std::size_t max_records, std::size_t max_bytes)
      : max_records_(max_records), max_bytes_(max_bytes) {}

  // Keeps `record` of `height`; false (not kept) when a bound would be passed.
  bool Keep(std::uint64_t height, std::string record) {
    if (records_.size() >= max_records_ || record.size() > max_bytes_ - bytes_) return false;
    bytes_ += record.size();
    records_.emplace_back(height, std::move(record));
    return true;
  }

  // After the commit of `committed` and the WAL's reset: `append` each record of a later
  // height, in arrival order (stopping at its first error, which is returned), then keep only
  // those above `committed + 1`.
  template <typename Append>
  Status AfterCommit(std::uint64_t committed, Append&& append) {
    std::vector<std::pair<std::uint64_t, std::string>> still;
    std::size_t bytes = 0;
    for (auto& [h, record] : records_) {
      if (h <= committed) continue;
      CONSENTD_RETURN_IF_ERROR(append(record));
      if (h > committed + 1) {
        bytes += record.size();
        still.emplace_back(h, std::move(record));
      }
    }
    records_ = std::move(still);
    bytes_ = bytes;
    return Status::Ok();
  }

  std::size_t size() const { return records_.size(); }
  std::size_t bytes() const { return bytes_; }

 private:
  std::size_t max_records_;
  std::size_t max_bytes_;
  std::size_t bytes_ = 0;
  std::vector<std::pair<std::uint64_t, std::string>> records_;
};

}  // namespace consentd::node
