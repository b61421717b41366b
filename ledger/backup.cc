#include "ledger/backup.h"

#include <array>

#include "common/hex.h"
#include "consensus/certificate.h"
#include "crypto/sha256.h"

namespace consentd::ledger {
namespace {

// Bounds that keep a damaged or hostile file from asking for absurd allocations. The store's
// largest values are block records (a few MiB at the block limits).
constexpr std::size_t kMaxHeaderBytes = 4096;
constexpr std::size_t kMaxKeyBytes = 4096;
constexpr std::size_t kMaxValueBytes = 64 << 20;

void PutU32(std::string* out, std::size_t v) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out->push_back(static_cast<char>((v >> shift) & 0xff));
}

Json HeaderJson(const BackupManifest& m) {
  return Json{{"format", kBackupFormat},
              {"chain_id", m.chain_id},
              {"genesis_hash", HexEncode(m.genesis_hash)},
              {"height", m.head.height},
              {"block_hash", HexEncode(m.head.block_hash)},
              {"state_digest", HexEncode(m.head.state_digest)},
              {"time_ms", m.head.time_ms}};
}

Status Malformed(const std::string& what) { return Status::Error(Reason::kBackupMalformed, what); }

Result<Hash256> HashField(const Json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end() || !it->is_string()) return Malformed(std::string("no ") + name);
  auto h = HexDecodeFixed<32>(it->get<std::string>());
  if (!h.ok()) return Malformed(std::string(name) + " is not 64 hex characters");
  return *h;
}

Result<BackupManifest> ParseHeader(const std::string& line) {
  auto j = ParseJson(line);
  if (!j.ok() || !j->is_object()) return Malformed("the first line is not a JSON header");
  if (j->value("format", "") != kBackupFormat) {
    return Malformed("not a consentd backup (format is not " + std::string(kBackupFormat) + ")");
  }
  BackupManifest m;
  auto height = j->find("height");
  auto time = j->find("time_ms");
  auto chain = j->find("chain_id");
  if (height == j->end() || !height->is_number_integer() || *height < 0 || time == j->end() ||
      !time->is_number_integer() || chain == j->end() || !chain->is_string()) {
    return Malformed("the header lacks chain_id, height or time_ms");
  }
  m.chain_id = chain->get<std::string>();
  m.head.height = height->get<std::uint64_t>();
  m.head.time_ms = time->get<std::int64_t>();
  CONSENTD_ASSIGN_OR_RETURN(m.genesis_hash, HashField(*j, "genesis_hash"));
  CONSENTD_ASSIGN_OR_RETURN(m.head.block_hash, HashField(*j, "block_hash"));
  CONSENTD_ASSIGN_OR_RETURN(m.head.state_digest, HashField(*j, "state_digest"));
  return m;
}

// Reads exactly n bytes (false at end of file).
bool ReadExactly(std::istream& in, std::size_t n, std::string* out) {
  out->resize(n);
  if (n == 0) return true;
  in.read(out->data(), static_cast<std::streamsize>(n));
  return static_cast<std::size_t>(in.gcount()) == n;
}

bool ReadU32(std::istream& in, std::size_t* v, std::string* raw) {
  if (!ReadExactly(in, 4, raw)) return false;
  *v = 0;
  for (unsigned char c : *raw) *v = (*v << 8) | c;
  return true;
}

}  // namespace

Json BackupManifest::ToJson() const {
  Json j = HeaderJson(*this);
  j["entries"] = entries;
  j["sha256"] = HexEncode(sha256);
  return j;
}

Result<std::unique_ptr<BackupWriter>> BackupWriter::Start(std::shared_ptr<const ReadView> view,
                                                          const Genesis& genesis) {
  std::unique_ptr<BackupWriter> w(new BackupWriter());
  w->m_.chain_id = genesis.chain_id;
  w->m_.genesis_hash = genesis.Hash();
  CONSENTD_ASSIGN_OR_RETURN(w->m_.head, Ledger::ReadHead(*view));
  w->cursor_ = view->Scan("");
  w->view_ = std::move(view);
  return w;
}

Result<bool> BackupWriter::Next(std::string* out) {
  if (done_) return false;
  std::string chunk;
  if (!header_sent_) {
    chunk = CanonicalJson(HeaderJson(m_)) + "\n";
    header_sent_ = true;
  }
  for (; cursor_->Valid() && chunk.size() < kPieceBytes; cursor_->Next()) {
    chunk.push_back('R');
    PutU32(&chunk, cursor_->key().size());
    chunk += cursor_->key();
    PutU32(&chunk, cursor_->value().size());
    chunk += cursor_->value();
    ++m_.entries;
  }
  CONSENTD_RETURN_IF_ERROR(cursor_->status());
  hasher_.Update(chunk);
  if (!cursor_->Valid()) {
    m_.sha256 = hasher_.Finish();
    chunk +=
        "E" + CanonicalJson(Json{{"entries", m_.entries}, {"sha256", HexEncode(m_.sha256)}}) + "\n";
    done_ = true;
  }
  *out += chunk;
  return true;
}

Result<BackupManifest> WriteBackup(std::shared_ptr<const ReadView> view, const Genesis& genesis,
                                   const std::function<bool(std::string_view)>& out) {
  CONSENTD_ASSIGN_OR_RETURN(auto writer, BackupWriter::Start(std::move(view), genesis));
  for (;;) {
    std::string chunk;
    CONSENTD_ASSIGN_OR_RETURN(bool more, writer->Next(&chunk));
    if (!more) return writer->manifest();
    if (!out(chunk)) return Status::Error(Reason::kBackupAborted, "the backup's reader went away");
  }
}

Result<BackupManifest> ReadBackup(std::istream& in,
                                  const std::function<Status(WriteBatch&&)>& apply,
                                  std::size_t batch_entries) {
  std::string line;
  line.reserve(512);
  for (char c; line.size() <= kMaxHeaderBytes && in.get(c);) {
    if (c == '\n') break;
    line.push_back(c);
  }
  if (line.size() > kMaxHeaderBytes) return Malformed("the header line is too long");
  if (!in) return Status::Error(Reason::kBackupTruncated, "the file ends inside its header");
  CONSENTD_ASSIGN_OR_RETURN(BackupManifest m, ParseHeader(line));
  crypto::Sha256Hasher hasher;
  hasher.Update(line).Update("\n");

  WriteBatch batch;
  std::string raw, key, value;
  std::string last_key;
  for (;;) {
    char tag = 0;
    if (!in.get(tag)) {
      return Status::Error(
          Reason::kBackupTruncated,
          "the file ends after " + std::to_string(m.entries) + " entries, without its trailer");
    }
    if (tag == 'E') break;
    if (tag != 'R') {
      return Malformed("unexpected byte after entry " + std::to_string(m.entries));
    }
    std::size_t klen = 0, vlen = 0;
    hasher.Update(std::string_view(&tag, 1));
    if (!ReadU32(in, &klen, &raw))
      return Status::Error(Reason::kBackupTruncated, "inside an entry");
    hasher.Update(raw);
    if (klen == 0 || klen > kMaxKeyBytes) {
      return Malformed("entry " + std::to_string(m.entries) + " has a key of " +
                       std::to_string(klen) + " bytes");
    }
    if (!ReadExactly(in, klen, &key))
      return Status::Error(Reason::kBackupTruncated, "inside an entry");
    hasher.Update(key);
    if (!ReadU32(in, &vlen, &raw))
      return Status::Error(Reason::kBackupTruncated, "inside an entry");
    hasher.Update(raw);
    if (vlen > kMaxValueBytes) {
      return Malformed("entry " + std::to_string(m.entries) + " has a value of " +
                       std::to_string(vlen) + " bytes");
    }
    if (!ReadExactly(in, vlen, &value)) {
      return Status::Error(Reason::kBackupTruncated, "inside an entry");
    }
    hasher.Update(value);
    if (m.entries > 0 && key <= last_key) {
      return Malformed("entry " + std::to_string(m.entries) + " is out of key order");
    }
    last_key = key;
    batch.emplace(key, std::move(value));
    value = std::string();
    ++m.entries;
    if (batch.size() >= batch_entries) {
      CONSENTD_RETURN_IF_ERROR(apply(std::move(batch)));
      batch = WriteBatch();
    }
  }
  const Hash256 computed = hasher.Finish();
  line.clear();
  for (char c; line.size() <= kMaxHeaderBytes && in.get(c);) {
    if (c == '\n') break;
    line.push_back(c);
  }
  if (!in) return Status::Error(Reason::kBackupTruncated, "the file ends inside its trailer");
  auto trailer = ParseJson(line);
  if (!trailer.ok() || !trailer->is_object() || !trailer->contains("entries") ||
      !(*trailer)["entries"].is_number_integer() || (*trailer)["entries"] < 0) {
    return Malformed("the trailer is not {\"entries\", \"sha256\"}");
  }
  CONSENTD_ASSIGN_OR_RETURN(m.sha256, HashField(*trailer, "sha256"));
  if (in.peek() != std::char_traits<char>::eof()) {
    return Malformed("bytes follow the trailer");
  }
  if (computed != m.sha256) {
    return Status::Error(Reason::kBackupChecksumMismatch,
                         "the file's SHA-256 is " + HexEncode(computed) + ", its trailer says " +
                             HexEncode(m.sha256));
  }
  if ((*trailer)["entries"].get<std::uint64_t>() != m.entries) {
    return Status::Error(Reason::kBackupEntryCountMismatch,
                         "the trailer counts " +
                             std::to_string((*trailer)["entries"].get<std::uint64_t>()) +
                             " entries, the file holds " + std::to_string(m.entries));
  }
  if (!batch.empty()) CONSENTD_RETURN_IF_ERROR(apply(std::move(batch)));
  return m;
}

Status VerifyRestored(const Ledger& ledger, const BackupManifest& manifest) {
  const Genesis& genesis = ledger.genesis();
  if (genesis.chain_id != manifest.chain_id || genesis.Hash() != manifest.genesis_hash) {
    return Status::Error(Reason::kBackupWrongChain, "the backup is of chain " + manifest.chain_id +
                                                        ", this home's genesis is of chain " +
                                                        genesis.chain_id + " (or another genesis)");
  }
  const Head head = ledger.head();
  if (head.height != manifest.head.height || head.block_hash != manifest.head.block_hash ||
      head.state_digest != manifest.head.state_digest || head.time_ms != manifest.head.time_ms) {
    return Status::Error(Reason::kBackupHeadMismatch,
                         "the restored head (height " + std::to_string(head.height) +
                             ") is not the one the manifest names (height " +
                             std::to_string(manifest.head.height) + ")");
  }
  if (head.height == 0) return Status::Ok();  // genesis: nothing certified yet
  auto snapshot = ledger.Snapshot();
  CONSENTD_ASSIGN_OR_RETURN(auto block, Ledger::ReadBlock(*snapshot, head.height));
  if (!block) {
    return Status::Error(Reason::kBackupHeadMismatch, "the head block is missing from the backup");
  }
  if (block->header.Hash() != head.block_hash || block->header.state_digest != head.state_digest) {
    return Status::Error(Reason::kBackupHeadMismatch,
                         "the head block's header does not match the recorded head");
  }
  CONSENTD_ASSIGN_OR_RETURN(auto validators, ledger.ValidatorsFor(head.height));
  return consensus::VerifyCertificateFor(block->certificate, genesis.chain_id, validators,
                                         head.height, head.block_hash);
}

}  // namespace consentd::ledger
