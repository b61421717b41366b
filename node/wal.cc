#include "node/wal.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "common/file_util.h"

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

Status IoError(std::string_view what, const std::string& path) {
  return Status::Error("wal_io", std::string(what) + " " + path + ": " + std::strerror(errno));
}

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

Result<Wal> Wal::Open(const std::string& path, Recovered* recovered) {
  Recovered local;
  Recovered& out = recovered != nullptr ? *recovered : local;
  out = Recovered{};
  std::string data;
  if (::access(path.c_str(), F_OK) == 0) {
    auto read = ReadFile(path, 1ull << 34);
    if (!read.ok()) return Status::Error("wal_io", read.status().message());
    data = std::move(*read);
  }
  std::size_t pos = 0;
  while (data.size() - pos >= 8) {
    const std::uint32_t len = GetU32(data.data() + pos);
    const std::uint32_t crc = GetU32(data.data() + pos + 4);
    if (len > kMaxRecordBytes || data.size() - pos - 8 < len) break;
    const std::string_view payload(data.data() + pos + 8, len);
    if (Crc32c(payload) != crc) break;
    out.records.emplace_back(payload);
    pos += 8 + len;
  }
  out.truncated_bytes = data.size() - pos;
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return IoError("open", path);
  if (out.truncated_bytes > 0 &&
      (::ftruncate(fd, static_cast<off_t>(pos)) != 0 || ::fsync(fd) != 0)) {
    ::close(fd);
    return IoError("truncate", path);
  }
  if (::lseek(fd, static_cast<off_t>(pos), SEEK_SET) < 0) {
    ::close(fd);
    return IoError("seek", path);
  }
  return Wal(fd, path, pos);
}

Wal::Wal(Wal&& other) noexcept : fd_(other.fd_), path_(std::move(other.path_)), size_(other.size_) {
  other.fd_ = -1;
}

Wal& Wal::operator=(Wal&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    path_ = std::move(other.path_);
    size_ = other.size_;
    other.fd_ = -1;
  }
  return *this;
}

Wal::~Wal() {
  if (fd_ >= 0) ::close(fd_);
}

Status Wal::Append(std::string_view payload, bool sync) {
  if (payload.size() > kMaxRecordBytes) {
    return Status::Error("wal_io",
                         "record of " + std::to_string(payload.size()) + " bytes is too large");
  }
  std::string record(8, '\0');
  PutU32(record.data(), static_cast<std::uint32_t>(payload.size()));
  PutU32(record.data() + 4, Crc32c(payload));
  record.append(payload);
  std::size_t done = 0;
  while (done < record.size()) {
    const ssize_t n = ::write(fd_, record.data() + done, record.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      Status error = IoError("write", path_);
      // Take back the part already written: a torn record in the middle of the log would make
      // Open cut off every record appended after it once the fault clears (a full disk, an
      // ignored failure on a peer's message).
      if (done > 0 && (::ftruncate(fd_, static_cast<off_t>(size_)) != 0 ||
                       ::lseek(fd_, static_cast<off_t>(size_), SEEK_SET) < 0)) {
        return IoError("write, then truncate back", path_);
      }
      return error;
    }
    done += static_cast<std::size_t>(n);
  }
  size_ += record.size();
  if (sync && ::fdatasync(fd_) != 0) return IoError("fsync", path_);
  return Status::Ok();
}

Status Wal::Reset() {
  // Already empty (a height decided without a message of ours or a peer's, as in block sync):
  // truncating and syncing again would cost a metadata write per block for nothing.
  if (size_ == 0) return Status::Ok();
  if (::ftruncate(fd_, 0) != 0 || ::lseek(fd_, 0, SEEK_SET) < 0 || ::fsync(fd_) != 0) {
    return IoError("reset", path_);
  }
  size_ = 0;
  return Status::Ok();
}

}  // namespace consentd::node
