#pragma once

// The consensus write-ahead log for the height being decided: every consensus message this
// node received or sent, so a restarted node resumes the height knowing the votes it had seen.
// Append-only records:
//
//   u32be payload length | u32be CRC-32C of the payload | payload
//
// Appends of our own signed messages are fsynced before they are sent; others are flushed
// lazily (losing them costs only a re-gossip). On open, records are read until the first one
// that is truncated, oversized or fails its CRC: that tail is cut off with a warning, never a
// crash (after a second read, so that a misread does not cost the records behind it). A new height
// starts a new, empty log. Every file operation goes through the node's Env (node/env.h); a log
// created here is made durable in its directory before Open returns, so a synced append is never
// lost with the file's name.
//
// Thread-compatible: the consensus driver owns it.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "node/env.h"

namespace consentd::node {

std::uint32_t Crc32c(std::string_view data);

class Wal {
 public:
  static constexpr std::size_t kMaxRecordBytes = 32 << 20;

  struct Recovered {
    std::vector<std::string> records;
    std::uint64_t truncated_bytes = 0;  // bytes of torn or garbage tail cut off
  };

  // Opens (creating) the log at `path` and returns its valid records. Errors: "wal_io".
  static Result<Wal> Open(Env* env, const std::string& path, Recovered* recovered);

  // Appends a record; with `sync` it is on disk when this returns. Errors: "wal_io".
  Status Append(std::string_view payload, bool sync);
  // Makes every record appended so far durable. Errors: "wal_io".
  Status Sync();
  // Empties the log (a new height). Errors: "wal_io".
  Status Reset();
  std::uint64_t size_bytes() const { return file_->size(); }

 private:
  Wal(std::unique_ptr<WritableFile> file, std::string path)
      : file_(std::move(file)), path_(std::move(path)) {}

  std::unique_ptr<WritableFile> file_;
  std::string path_;
};

}  // namespace consentd::node
