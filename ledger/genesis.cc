#include "ledger/genesis.h"

#include <fstream>
#include <set>
#include <sstream>

#include "common/hex.h"
#include "crypto/tagged_hash.h"
#include "ledger/schema.h"

namespace consentd::ledger {
namespace {

Status Invalid(const Status& cause) {
  return Status::Error(Reason::kGenesisInvalid, cause.message());
}

// Reads an optional positive parameter.
void ReadParam(FieldReader& r, std::string_view key, std::int64_t min, std::int64_t* out) {
  if (auto v = r.OptionalInt(key, min, kJsonMaxSafeInteger)) *out = *v;
}

}  // namespace

Json LedgerParams::ToJson() const {
  Json j{{"rights_deadline_ms", rights_deadline_ms},
         {"objection_window_ms", objection_window_ms},
         {"max_backdate_ms", max_backdate_ms},
         {"max_clock_drift_ms", max_clock_drift_ms},
         {"max_block_txs", max_block_txs},
         {"max_block_bytes", max_block_bytes},
         {"max_tx_bytes", max_tx_bytes},
         {"max_tx_lifetime", max_tx_lifetime},
         {"validator_change_delay", validator_change_delay},
         {"max_transfer_consents", max_transfer_consents}};
  if (transfer_approval_required) j["transfer_approval_required"] = true;
  if (assessment_required) j["assessment_required"] = true;
  return j;
}

Result<LedgerParams> LedgerParams::FromJson(const Json& json) {
  LedgerParams p;
  FieldReader r(json, "params");
  ReadParam(r, "rights_deadline_ms", 1, &p.rights_deadline_ms);
  ReadParam(r, "objection_window_ms", 0, &p.objection_window_ms);
  ReadParam(r, "max_backdate_ms", 0, &p.max_backdate_ms);
  ReadParam(r, "max_clock_drift_ms", 0, &p.max_clock_drift_ms);
  ReadParam(r, "max_block_txs", 1, &p.max_block_txs);
  ReadParam(r, "max_block_bytes", 1024, &p.max_block_bytes);
  ReadParam(r, "max_tx_bytes", 1024, &p.max_tx_bytes);
  ReadParam(r, "max_tx_lifetime", 1, &p.max_tx_lifetime);
  ReadParam(r, "validator_change_delay", 1, &p.validator_change_delay);
  ReadParam(r, "max_transfer_consents", 1, &p.max_transfer_consents);
  if (r.Has("transfer_approval_required")) {
    p.transfer_approval_required = r.Bool("transfer_approval_required");
  }
  if (r.Has("assessment_required")) p.assessment_required = r.Bool("assessment_required");
  CONSENTD_RETURN_IF_ERROR(r.Finish());
  if (p.max_tx_bytes > p.max_block_bytes) {
    return Status::Error(Reason::kTxInvalidValue,
                         "params.max_tx_bytes exceeds params.max_block_bytes");
  }
  return p;
}

Result<consensus::ValidatorSet> Genesis::Validators() const {
  std::vector<crypto::PublicKey> keys;
  for (const MemberRegister& m : members) {
    if (m.validator_key) keys.push_back(*m.validator_key);
  }
  return consensus::ValidatorSet::Create(std::move(keys));
}

Json Genesis::ToJson() const {
  Json ms = Json::array();
  for (const MemberRegister& m : members) {
    Json keys = Json::array();
    for (const auto& k : m.keys) keys.push_back(k.Hex());
    Json j{{"id", m.member}, {"roles", m.roles}, {"keys", keys}, {"jurisdiction", m.jurisdiction}};
    if (m.validator_key) j["validator_key"] = m.validator_key->Hex();
    ms.push_back(std::move(j));
  }
  return Json{{"chain_id", chain_id},
              {"genesis_time_ms", genesis_time_ms},
              {"governance_threshold", governance_threshold},
              {"members", std::move(ms)},
              {"consensus", consensus.ToJson()},
              {"params", params.ToJson()}};
}

Hash256 Genesis::Hash() const {
  return crypto::TaggedHash("consentd/genesis/v1", AsBytes(CanonicalJson(ToJson())));
}

Result<Genesis> Genesis::FromJson(const Json& json) {
  Genesis g;
  FieldReader r(json, "genesis");
  g.chain_id = r.Identifier("chain_id");
  g.genesis_time_ms = r.Time("genesis_time_ms");
  g.governance_threshold = r.Int("governance_threshold", 1, 1000);
  const Json* members = r.Raw("members");
  const Json* consensus = r.Object("consensus");
  const Json* params = r.Has("params") ? r.Object("params") : nullptr;
  if (Status st = r.Finish(); !st.ok()) return Invalid(st);

  if (!members->is_array() || members->empty()) {
    return Status::Error(Reason::kGenesisInvalid, "genesis.members must be a non-empty array");
  }
  std::set<std::string> ids;
  std::set<crypto::PublicKey> keys;
  for (std::size_t i = 0; i < members->size(); ++i) {
    const std::string path = "genesis.members[" + std::to_string(i) + "]";
    FieldReader m(members->at(i), path);
    MemberRegister reg;
    reg.member = m.Identifier("id");
    reg.roles = m.Codes("roles", vocab::Roles(), 1, vocab::Roles().codes().size());
    reg.keys = m.Keys("keys", 1, kMaxKeys);
    reg.jurisdiction = m.Code("jurisdiction", vocab::Jurisdictions());
    reg.validator_key = m.OptionalKey("validator_key");
    if (Status st = m.Finish(); !st.ok()) return Invalid(st);
    if (!ids.insert(reg.member).second) {
      return Status::Error(Reason::kGenesisInvalid,
                           path + ".id \"" + reg.member + "\" is not unique");
    }
    for (const auto& k : reg.keys) {
      if (!keys.insert(k).second) {
        return Status::Error(Reason::kGenesisInvalid,
                             path + ".keys: key " + k.Hex() + " is used twice");
      }
    }
    g.members.push_back(std::move(reg));
  }
  if (g.governance_threshold > static_cast<std::int64_t>(g.members.size())) {
    return Status::Error(Reason::kGenesisInvalid,
                         "genesis.governance_threshold exceeds the number of members");
  }
  auto timeouts = consensus::TimeoutParams::FromJson(*consensus);
  if (!timeouts.ok())
    return Status::Error(Reason::kGenesisInvalid,
                         "genesis.consensus: " + timeouts.status().message());
  g.consensus = *timeouts;
  if (params != nullptr) {
    auto p = LedgerParams::FromJson(*params);
    if (!p.ok()) return Invalid(p.status());
    g.params = *p;
  }
  auto validators = g.Validators();
  if (!validators.ok()) {
    return Status::Error(Reason::kGenesisInvalid,
                         "genesis.members: validator keys: " + validators.status().message());
  }
  return g;
}

Result<Genesis> Genesis::Parse(std::string_view text) {
  CONSENTD_ASSIGN_OR_RETURN(Json json, ParseJson(text));
  return FromJson(json);
}

Result<Genesis> Genesis::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Error(Reason::kGenesisUnreadable, "cannot read genesis file " + path);
  std::ostringstream buf;
  buf << in.rdbuf();
  auto g = Parse(buf.str());
  if (!g.ok()) return g.status().WithContext(path);
  return g;
}

}  // namespace consentd::ledger
