#include "wallet/transfer_notice.h"

#include <algorithm>
#include <bit>

#include "common/hex.h"
#include "crypto/merkle.h"
#include "crypto/random.h"
#include "crypto/tagged_hash.h"
#include "ledger/state/keys.h"

namespace consentd::wallet {
namespace {

constexpr std::int64_t kMaxTime = (std::int64_t{1} << 53) - 1;
constexpr std::size_t kMaxDeliveries = 10'000'000;
constexpr std::size_t kMaxPath = 64;

Status Malformed(const std::string& what) {
  return Status::Error(Reason::kNoticeProofMalformed, "notice proof: " + what);
}

// Every leaf's Merkle hash under [lo, hi), appending to each proof the sibling of every subtree
// it is in, deepest first (RFC 9162 section 2.1.3.1, computed once for all leaves).
Hash256 Build(const std::vector<Hash256>& leaves, std::size_t lo, std::size_t hi,
              std::vector<std::vector<Hash256>>& paths) {
  if (hi - lo == 1) return crypto::MerkleLeafHash(leaves[lo]);
  const std::size_t k = std::bit_floor(hi - lo - 1);
  const Hash256 left = Build(leaves, lo, lo + k, paths);
  const Hash256 right = Build(leaves, lo + k, hi, paths);
  for (std::size_t i = lo; i < lo + k; ++i) paths[i].push_back(right);
  for (std::size_t i = lo + k; i < hi; ++i) paths[i].push_back(left);
  return crypto::MerkleNodeHash(left, right);
}

Json ProofJson(const NoticeDelivery& d, std::size_t index, std::size_t size,
               const std::vector<Hash256>& path, const Hash256& root) {
  Json p = Json::array();
  for (const Hash256& h : path) p.push_back(HexEncode(h));
  return Json{{"format", kNoticeProofFormat},
              {"transfer_id", HexEncode(d.transfer_id)},
              {"subject", d.subject.ToJson()},
              {"delivered_at", d.delivered_at},
              {"nonce", HexEncode(d.nonce)},
              {"index", index},
              {"tree_size", size},
              {"path", std::move(p)},
              {"deliveries_root", HexEncode(root)}};
}

Result<Hash256> HashField(const Json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return Malformed(std::string(key) + " must be hex");
  auto h = HexDecodeFixed<32>(it->get_ref<const std::string&>());
  if (!h.ok()) return Malformed(std::string(key) + " must be 64 lowercase hex digits");
  return *h;
}

Result<std::int64_t> IntField(const Json& j, const char* key, std::int64_t min, std::int64_t max) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_integer()) {
    return Malformed(std::string(key) + " must be an integer");
  }
  const auto v = it->get<std::int64_t>();
  if (it->is_number_unsigned() && it->get<std::uint64_t>() > static_cast<std::uint64_t>(max)) {
    return Malformed(std::string(key) + " is out of range");
  }
  if (v < min || v > max) return Malformed(std::string(key) + " is out of range");
  return v;
}

}  // namespace

Hash256 NoticeDeliveryLeaf(const NoticeDelivery& d) {
  static const std::string_view kTag = "consentd/transfer-notice/v1";
  const std::string subject = d.subject.Binary();
  const std::string at = ledger::keys::BigEndian(static_cast<std::uint64_t>(d.delivered_at));
  Bytes message(d.transfer_id.begin(), d.transfer_id.end());
  message.insert(message.end(), subject.begin(), subject.end());
  message.insert(message.end(), at.begin(), at.end());
  message.insert(message.end(), d.nonce.begin(), d.nonce.end());
  return crypto::TaggedHash(kTag, message);
}

Result<NoticeBatch> BuildNoticeBatch(const std::vector<NoticeDelivery>& deliveries) {
  if (deliveries.empty() || deliveries.size() > kMaxDeliveries) {
    return Status::Error(
        Reason::kNoticeBatchInvalid,
        "a batch holds 1 to 10,000,000 deliveries, not " + std::to_string(deliveries.size()));
  }
  NoticeBatch batch;
  std::vector<Hash256> leaves;
  leaves.reserve(deliveries.size());
  for (const NoticeDelivery& d : deliveries) {
    if (d.transfer_id != deliveries.front().transfer_id) {
      return Status::Error(Reason::kNoticeBatchInvalid, "a batch is of one transfer");
    }
    if (d.delivered_at < 0 || d.delivered_at > kMaxTime) {
      return Status::Error(Reason::kNoticeBatchInvalid, "delivered_at is out of range");
    }
    batch.delivered_until = std::max(batch.delivered_until, d.delivered_at);
    leaves.push_back(NoticeDeliveryLeaf(d));
  }
  std::vector<std::vector<Hash256>> paths(leaves.size());
  batch.root = Build(leaves, 0, leaves.size(), paths);
  batch.proofs.reserve(leaves.size());
  for (std::size_t i = 0; i < leaves.size(); ++i) {
    batch.proofs.push_back(ProofJson(deliveries[i], i, leaves.size(), paths[i], batch.root));
  }
  return batch;
}

Result<NoticeDelivery> ParseDeliveryLine(const Hash256& transfer_id, const Json& line) {
  auto bad = [](const std::string& what) {
    return Status::Error(Reason::kNoticeBatchInvalid, "delivery line: " + what);
  };
  if (!line.is_object() || line.size() != 2 || !line.contains("subject") ||
      !line.contains("delivered_at")) {
    return bad("must be {\"subject\": \"key:<hex>\", \"delivered_at\": <ms>}");
  }
  const Json& s = line.at("subject");
  if (!s.is_string()) return bad("subject must be \"key:<hex>\" or \"ref:<hex>\"");
  auto subject = ledger::Subject::FromString(s.get_ref<const std::string&>());
  if (!subject.ok()) return bad("subject must be \"key:<hex>\" or \"ref:<hex>\"");
  const Json& at = line.at("delivered_at");
  if (!at.is_number_integer() || at.get<std::int64_t>() < 0 ||
      (at.is_number_unsigned() && at.get<std::uint64_t>() > static_cast<std::uint64_t>(kMaxTime)) ||
      at.get<std::int64_t>() > kMaxTime) {
    return bad("delivered_at must be Unix milliseconds");
  }
  NoticeDelivery d;
  d.transfer_id = transfer_id;
  d.subject = *subject;
  d.delivered_at = at.get<std::int64_t>();
  CONSENTD_RETURN_IF_ERROR(crypto::RandomBytes(d.nonce));
  return d;
}

Result<VerifiedNotice> VerifyNoticeProof(const Json& proof) {
  static const std::vector<std::string> kKeys = {"format",       "transfer_id", "subject",
                                                 "delivered_at", "nonce",       "index",
                                                 "tree_size",    "path",        "deliveries_root"};
  if (!proof.is_object()) return Malformed("not a JSON object");
  for (const auto& [key, _] : proof.items()) {
    if (std::find(kKeys.begin(), kKeys.end(), key) == kKeys.end()) {
      return Malformed("unknown field " + key);
    }
  }
  auto format = proof.find("format");
  if (format == proof.end() || *format != kNoticeProofFormat) {
    return Malformed(std::string("format must be ") + kNoticeProofFormat);
  }
  VerifiedNotice v;
  CONSENTD_ASSIGN_OR_RETURN(v.delivery.transfer_id, HashField(proof, "transfer_id"));
  auto subject = proof.find("subject");
  if (subject == proof.end()) return Malformed("missing subject");
  auto s = ledger::Subject::FromJson(*subject, "subject");
  if (!s.ok()) return Malformed("subject must be {\"key\": hex} or {\"ref\": hex}");
  v.delivery.subject = *s;
  CONSENTD_ASSIGN_OR_RETURN(v.delivery.delivered_at, IntField(proof, "delivered_at", 0, kMaxTime));
  CONSENTD_ASSIGN_OR_RETURN(v.delivery.nonce, HashField(proof, "nonce"));
  CONSENTD_ASSIGN_OR_RETURN(auto size, IntField(proof, "tree_size", 1, kMaxDeliveries));
  CONSENTD_ASSIGN_OR_RETURN(auto index, IntField(proof, "index", 0, size - 1));
  CONSENTD_ASSIGN_OR_RETURN(v.root, HashField(proof, "deliveries_root"));
  auto path = proof.find("path");
  if (path == proof.end() || !path->is_array() || path->size() > kMaxPath) {
    return Malformed("path must be a list of at most 64 hashes");
  }
  crypto::MerkleProof mp;
  mp.index = static_cast<std::uint64_t>(index);
  mp.tree_size = static_cast<std::uint64_t>(size);
  for (const Json& h : *path) {
    if (!h.is_string()) return Malformed("path entries must be hex");
    auto d = HexDecodeFixed<32>(h.get_ref<const std::string&>());
    if (!d.ok()) return Malformed("path entries must be 64 lowercase hex digits");
    mp.path.push_back(*d);
  }
  v.index = mp.index;
  v.tree_size = mp.tree_size;
  if (!crypto::MerkleVerify(NoticeDeliveryLeaf(v.delivery), mp, v.root)) {
    return Status::Error(Reason::kNoticeProofMismatch,
                         "the path does not lead from the delivery to deliveries_root");
  }
  return v;
}

Status NoticeRootOnLedger(const VerifiedNotice& v, const Json& notices) {
  const std::string root = HexEncode(v.root);
  auto items = notices.find("items");
  if (items != notices.end() && items->is_array()) {
    for (const Json& b : *items) {
      if (b.is_object() && b.value("deliveries_root", "") == root &&
          b.value("deliveries", std::int64_t{-1}) == static_cast<std::int64_t>(v.tree_size)) {
        return Status::Ok();
      }
    }
  }
  return Status::Error(Reason::kNoticeProofNotOnLedger,
                       "no transfer.notify of " + HexEncode(v.delivery.transfer_id) + " has root " +
                           root + " over " + std::to_string(v.tree_size) + " deliveries");
}

}  // namespace consentd::wallet
