#include "node/wire.h"

#include "common/hex.h"
#include "common/json.h"

namespace consentd::node::wire {
namespace {

Status Malformed(std::string message) {
  return Status::Error(Reason::kWireMalformed, std::move(message));
}

void PutU32(std::string* out, std::uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) out->push_back(static_cast<char>((v >> s) & 0xff));
}
void PutU64(std::string* out, std::uint64_t v) {
  for (int s = 56; s >= 0; s -= 8) out->push_back(static_cast<char>((v >> s) & 0xff));
}

// Reads from untrusted bytes; every read checks the remaining length.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool U32(std::uint32_t* v) {
    if (in_.size() < 4) return false;
    *v = 0;
    for (int i = 0; i < 4; ++i) *v = (*v << 8) | static_cast<std::uint8_t>(in_[i]);
    in_.remove_prefix(4);
    return true;
  }
  bool U64(std::uint64_t* v) {
    if (in_.size() < 8) return false;
    *v = 0;
    for (int i = 0; i < 8; ++i) *v = (*v << 8) | static_cast<std::uint8_t>(in_[i]);
    in_.remove_prefix(8);
    return true;
  }
  bool Bytes(std::size_t n, std::string_view* out) {
    if (in_.size() < n) return false;
    *out = in_.substr(0, n);
    in_.remove_prefix(n);
    return true;
  }
  bool Sized(std::string_view* out) {
    std::uint32_t n = 0;
    return U32(&n) && Bytes(n, out);
  }
  bool done() const { return in_.empty(); }
  std::string_view rest() const { return in_; }

 private:
  std::string_view in_;
};

Result<Json> ParseSmall(std::string_view text) {
  JsonLimits limits;
  limits.max_bytes = 1 << 20;
  limits.max_depth = 8;
  auto j = ParseJson(text, limits);
  if (!j.ok()) return Malformed(j.status().ToString());
  return std::move(*j);
}

}  // namespace

std::string EncodeProposal(const consensus::Proposal& p) {
  Json j = p.ToJson();
  j["block"] = "";
  const std::string header = CanonicalJson(j);
  std::string out;
  out.reserve(4 + header.size() + p.block.size());
  PutU32(&out, static_cast<std::uint32_t>(header.size()));
  out += header;
  out.append(reinterpret_cast<const char*>(p.block.data()), p.block.size());
  return out;
}

Result<consensus::Proposal> DecodeProposal(std::string_view payload) {
  Reader r(payload);
  std::string_view header;
  if (!r.Sized(&header)) return Malformed("truncated proposal");
  CONSENTD_ASSIGN_OR_RETURN(Json j, ParseSmall(header));
  if (!j.is_object() || !j.contains("block") || j["block"] != "") {
    return Malformed("proposal header must carry an empty \"block\"");
  }
  auto p = consensus::Proposal::FromJson(j);
  if (!p.ok()) return Malformed(p.status().ToString());
  const std::string_view block = r.rest();
  p->block.assign(block.begin(), block.end());
  return std::move(*p);
}

std::string EncodeVote(const consensus::Vote& v) { return CanonicalJson(v.ToJson()); }

Result<consensus::Vote> DecodeVote(std::string_view payload) {
  CONSENTD_ASSIGN_OR_RETURN(Json j, ParseSmall(payload));
  auto v = consensus::Vote::FromJson(j);
  if (!v.ok()) return Malformed(v.status().ToString());
  return std::move(*v);
}

std::string EncodeTxs(const std::vector<std::string_view>& txs) {
  std::string out;
  PutU32(&out, static_cast<std::uint32_t>(txs.size()));
  for (std::string_view tx : txs) {
    PutU32(&out, static_cast<std::uint32_t>(tx.size()));
    out.append(tx);
  }
  return out;
}

Result<std::vector<std::string_view>> DecodeTxs(std::string_view payload) {
  Reader r(payload);
  std::uint32_t count = 0;
  if (!r.U32(&count) || count > kMaxTxsPerFrame) return Malformed("bad tx count");
  std::vector<std::string_view> out;
  out.reserve(count);
  for (std::uint32_t i = 0; i < count; ++i) {
    std::string_view tx;
    if (!r.Sized(&tx)) return Malformed("truncated tx " + std::to_string(i));
    out.push_back(tx);
  }
  if (!r.done()) return Malformed("trailing bytes after txs");
  return out;
}

std::string EncodeSyncRequest(const SyncRequest& req) {
  return CanonicalJson(Json{{"from_height", req.from_height}, {"count", req.count}});
}

Result<SyncRequest> DecodeSyncRequest(std::string_view payload) {
  CONSENTD_ASSIGN_OR_RETURN(Json j, ParseSmall(payload));
  if (!j.is_object() || j.size() != 2 || !j.contains("from_height") || !j.contains("count") ||
      !j["from_height"].is_number_integer() || !j["count"].is_number_integer()) {
    return Malformed("a sync request is {\"from_height\", \"count\"}");
  }
  const auto from = j["from_height"].get<std::int64_t>();
  const auto count = j["count"].get<std::int64_t>();
  if (from < 1 || count < 1 || count > kMaxSyncBlocks)
    return Malformed("sync request out of range");
  return SyncRequest{static_cast<std::uint64_t>(from), static_cast<std::uint32_t>(count)};
}

std::string EncodeSyncResponse(const std::vector<SyncBlock>& blocks) {
  std::string out;
  PutU32(&out, static_cast<std::uint32_t>(blocks.size()));
  for (const SyncBlock& b : blocks) {
    PutU64(&out, b.height);
    PutU32(&out, static_cast<std::uint32_t>(b.payload.size()));
    out += b.payload;
    const std::string cert = CanonicalJson(b.certificate.ToJson());
    PutU32(&out, static_cast<std::uint32_t>(cert.size()));
    out += cert;
  }
  return out;
}

Result<std::vector<SyncBlock>> DecodeSyncResponse(std::string_view payload) {
  Reader r(payload);
  std::uint32_t count = 0;
  if (!r.U32(&count) || count > kMaxSyncBlocks) return Malformed("bad block count");
  std::vector<SyncBlock> out;
  for (std::uint32_t i = 0; i < count; ++i) {
    SyncBlock b;
    std::string_view block, cert;
    if (!r.U64(&b.height) || !r.Sized(&block) || !r.Sized(&cert))
      return Malformed("truncated block");
    b.payload = std::string(block);
    CONSENTD_ASSIGN_OR_RETURN(Json cj, ParseSmall(cert));
    auto c = consensus::CommitCertificate::FromJson(cj);
    if (!c.ok()) return Malformed(c.status().ToString());
    b.certificate = std::move(*c);
    out.push_back(std::move(b));
  }
  if (!r.done()) return Malformed("trailing bytes after blocks");
  return out;
}

std::string EncodeStatus(const PeerStatus& s) {
  return CanonicalJson(Json{{"height", s.height}, {"block_hash", HexEncode(s.block_hash)}});
}

Result<PeerStatus> DecodeStatus(std::string_view payload) {
  CONSENTD_ASSIGN_OR_RETURN(Json j, ParseSmall(payload));
  if (!j.is_object() || j.size() != 2 || !j.contains("height") ||
      !j["height"].is_number_integer() || !j.contains("block_hash") ||
      !j["block_hash"].is_string()) {
    return Malformed("a status is {\"height\", \"block_hash\"}");
  }
  PeerStatus s;
  if (j["height"].get<std::int64_t>() < 0) return Malformed("negative height");
  s.height = j["height"].get<std::uint64_t>();
  auto h = HexDecodeFixed<32>(j["block_hash"].get<std::string>());
  if (!h.ok()) return Malformed("bad block hash");
  s.block_hash = *h;
  return s;
}

}  // namespace consentd::node::wire
