#include "node/wal.h"

#include <array>

#include "common/path.h"

namespace consentd::node {
namespace {

// CRC-32C (Castagnoli, reflected polynomial 0x82f63b78), table-driven.
const std::array<std::uint32_t, 256>& CrcTable() {
  static const auto table = [] {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
      std::uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82f63b78u : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  return table;
}

Status IoError(const Status& cause) { return Status::Error(Reason::kWalIo, cause.message()); }

void PutU32(char* out, std::uint32_t v) {
  out[0] = static_cast<char>(v >> 24);
  out[1] = static_cast<char>(v >> 16);
  out[2] = static_cast<char>(v >> 8);
  out[3] = static_cast<char>(v);
}

std::uint32_t GetU32(const char* in) {
  return (static_cast<std::uint32_t>(static_cast<std::uint8_t>(in[0])) << 24) |
         (static_cast<std::uint32_t>(static_cast<std::uint8_t>(in[1])) << 16) |
         (static_cast<std::uint32_t>(static_cast<std::uint8_t>(in[2])) << 8) |
         static_cast<std::uint32_t>(static_cast<std::uint8_t>(in[3]));
}

}  // namespace

std::uint32_t Crc32c(std::string_view data) {
  const auto& t = CrcTable();
  std::uint32_t c = 0xffffffffu;
  for (char ch : data) c = t[(c ^ static_cast<std::uint8_t>(ch)) & 0xff] ^ (c >> 8);
  return c ^ 0xffffffffu;
}

namespace {

// The records at the start of `data` that are whole and pass their CRC; returns their length.
std::size_t ParseRecords(std::string_view data, std::vector<std::string>* records) {
  std::size_t pos = 0;
  while (data.size() - pos >= 8) {
    const std::uint32_t len = GetU32(data.data() + pos);
    const std::uint32_t crc = GetU32(data.data() + pos + 4);
    if (len > Wal::kMaxRecordBytes || data.size() - pos - 8 < len) break;
    const std::string_view payload(data.data() + pos + 8, len);
    if (Crc32c(payload) != crc) break;
    records->emplace_back(payload);
    pos += 8 + len;
  }
  return pos;
}

}  // namespace

Result<Wal> Wal::Open(Env* env, const std::string& path, Recovered* recovered) {
  Recovered local;
  Recovered& out = recovered != nullptr ? *recovered : local;
  out = Recovered{};
  const bool existed = env->FileExists(path);
  std::size_t pos = 0;
  std::size_t size = 0;
  if (existed) {
    // A record that fails its check is cut off with everything after it, for good. Before
    // that, the file is read once more: a misread (a flaky disk or controller) must not cost
    // the records behind it, while a torn tail reads the same twice.
    for (int attempt = 0; attempt < 2; ++attempt) {
      auto read = env->ReadFile(path, 1ull << 34);
      if (!read.ok()) return Status::Error(Reason::kWalIo, read.status().message());
      std::vector<std::string> records;
      const std::size_t valid = ParseRecords(*read, &records);
      if (attempt == 0 || valid > pos) {
        pos = valid;
        size = read->size();
        out.records = std::move(records);
      }
      if (pos == size) break;
    }
  }
  out.truncated_bytes = size - pos;
  auto file = env->OpenAppendable(path, 0600);
  if (!file.ok()) return IoError(file.status());
  if (!existed) {
    if (Status st = env->SyncDir(DirName(path)); !st.ok()) return IoError(st);
  }
  if ((*file)->size() != pos) {
    // The torn or garbage tail (or bytes that appeared since it was read) are cut off.
    if (Status st = (*file)->Truncate(pos); !st.ok()) return IoError(st);
  }
  // What was read is what the disk holds from now on: after a failed fsync in an earlier life
  // and a clean stop, the bytes read may not have been durable yet, and a later crash must not
  // bring back older ones under the records replayed now.
  if (Status st = (*file)->Sync(); !st.ok()) return IoError(st);
  return Wal(std::move(*file), path);
}

Status Wal::Append(std::string_view payload, bool sync) {
  if (payload.size() > kMaxRecordBytes) {
    return Status::Error(Reason::kWalIo,
                         "record of " + std::to_string(payload.size()) + " bytes is too large");
  }
  std::string record(8, '\0');
  PutU32(record.data(), static_cast<std::uint32_t>(payload.size()));
  PutU32(record.data() + 4, Crc32c(payload));
  record.append(payload);
  const std::uint64_t before = file_->size();
  if (Status st = file_->Append(record); !st.ok()) {
    // Take back the part already written: a torn record in the middle of the log would make
    // Open cut off every record appended after it once the fault clears (a full disk, an
    // ignored failure on a peer's message).
    if (file_->size() != before && !file_->Truncate(before).ok()) {
      return Status::Error(Reason::kWalIo, st.message() + ", then truncating back failed too");
    }
    return IoError(st);
  }
  if (sync) {
    if (Status st = file_->Sync(); !st.ok()) return IoError(st);
  }
  return Status::Ok();
}

Status Wal::Sync() {
  if (Status st = file_->Sync(); !st.ok()) return IoError(st);
  return Status::Ok();
}

Status Wal::Reset() {
  // Already empty (a height decided without a message of ours or a peer's, as in block sync):
  // truncating and syncing again would cost a metadata write per block for nothing.
  if (file_->size() == 0) return Status::Ok();
  if (Status st = file_->Truncate(0); !st.ok()) return IoError(st);
  if (Status st = file_->Sync(); !st.ok()) return IoError(st);
  return Status::Ok();
}

}  // namespace consentd::node
