// Issue "Compliance": proof that no personal data reaches the ledger. Synthetic customers whose
// names, ID-card numbers, phone numbers and addresses exist only off-ledger (the HMAC input of
// their subject_ref and the content of hashed documents) go through a full scenario on a real
// 4-validator network: ref-subject grants, rights requests and their fulfilment, a withdrawal.
// Then everything the nodes wrote or answered is scanned: every LevelDB key and value dumped
// through its iterator, the WAL, the logs (debug level), every other file in the homes, the
// HTTP responses and the audit exports. None of the personal strings, nor their unsalted
// SHA-256 (hex or raw), may appear anywhere; the subject_refs and document hashes, which are
// on the ledger by design, must (a check that the scan sees what the nodes wrote). The logs
// must not hold a request body or an API token either.

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "common/file_util.h"
#include "common/hex.h"
#include "crypto/sha256.h"
#include "ledger/store/store.h"
#include "tests/integration/harness.h"

namespace consentd::testing {
namespace {

namespace fs = std::filesystem;
using ledger::TxType;

struct Customer {
  std::string name, id_card, phone, address;
  std::vector<std::string> Personal() const { return {name, id_card, phone, address}; }
};

const std::vector<Customer> kCustomers = {
    {"张伟", "110101199003074512", "+86 138 0013 8000", "北京市朝阳区建国路88号"},
    {"Li Na", "310104198512120023", "13912345678", "上海市徐汇区漕溪北路201号"},
    {"王芳 Wang Fang", "44030519920615342X", "+86-755-2345-6789", "深圳市南山区科技园南路1号"},
};
const std::string kControllerSecret = "insurer-1 subject-ref secret (kept by the insurer)";

std::string HmacSha256Hex(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return HexEncode(ByteSpan(out, len));
}

std::string Sha256Hex(std::string_view text) { return HexEncode(crypto::Sha256(text)); }

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// A document that names the customer, salted so its hash reveals nothing (on the ledger).
std::string Document(const Customer& c, const std::string& what) {
  return what + "\nname: " + c.name + "\nid: " + c.id_card + "\nphone: " + c.phone +
         "\naddress: " + c.address + "\nsalt: " + Sha256Hex(what + c.id_card + "salt");
}

struct Haystack {
  std::string where;
  std::string bytes;
};

class PrivacyTest : public ::testing::Test {
 protected:
  // Posts a tx signed by insurer-1 and waits for its commit; returns the response body.
  Json Commit(TxType type, const Json& body) {
    auto r = net_.Post(0, "/v1/txs?wait=commit&timeout_ms=30000",
                       net_.SignedTx(type, body, {"insurer-1"}));
    EXPECT_TRUE(r.has_value());
    if (!r) return Json();
    EXPECT_EQ(r->status, 200) << r->raw;
    Keep("POST /v1/txs", r->raw);
    auto j = ParseJson(r->raw);
    return j.ok() ? *j : Json();
  }
  void Keep(const std::string& where, const std::string& bytes) {
    haystacks_.push_back({where, bytes});
  }
  void KeepGet(int node, const std::string& path, const std::string& token) {
    auto client = cli::Client::Create(net_.url(node), token);
    ASSERT_TRUE(client.ok());
    auto r = client->Get(path);
    ASSERT_TRUE(r.ok()) << path;
    EXPECT_EQ(r->status, 200) << path << ": " << r->raw;
    Keep("GET " + path, r->raw);
  }

  LocalNet net_{4};
  std::vector<Haystack> haystacks_;
};

TEST_F(PrivacyTest, NoPersonalDataReachesAnythingTheNodesWriteOrAnswer) {
  for (int i = 0; i < net_.size(); ++i) net_.Start(i, {"--log-level", "debug"});
  ASSERT_TRUE(net_.WaitAllHeight(1, 60'000));
  Commit(TxType::kNoticePublish, net_.NoticeBody("insurer-1"));

  const auto tokens = net_.Tokens();
  const std::string auditor = tokens.at("auditor");
  std::vector<std::string> refs, document_hashes, request_bodies;
  for (std::size_t k = 0; k < kCustomers.size(); ++k) {
    const Customer& c = kCustomers[k];
    // The subject_ref: HMAC of the customer's ID-card number under the insurer's secret.
    const std::string ref = HmacSha256Hex(kControllerSecret, c.id_card);
    refs.push_back(ref);
    Json grant = net_.GrantBody("insurer-1", "unused");
    grant["subject"] = Json{{"ref", ref}};
    const std::string form = Sha256Hex(Document(c, "signed consent form"));
    grant["evidence_hash"] = form;
    document_hashes.push_back(form);
    request_bodies.push_back(grant.dump());
    const Json granted = Commit(TxType::kConsentGrant, grant);
    const std::string consent_id = granted.value("tx_id", "");
    ASSERT_EQ(consent_id.size(), 64u) << granted.dump();

    const std::string letter = Sha256Hex(Document(c, "access request letter"));
    document_hashes.push_back(letter);
    const Json requested = Commit(TxType::kRightsRequest, Json{{"controller", "insurer-1"},
                                                               {"subject", {{"ref", ref}}},
                                                               {"kind", "access"},
                                                               {"consent_id", consent_id},
                                                               {"evidence_hash", letter}});
    const std::string request_id = requested.value("tx_id", "");
    ASSERT_EQ(request_id.size(), 64u) << requested.dump();
    const std::string copy = Sha256Hex(Document(c, "copy of the data sent to the customer"));
    document_hashes.push_back(copy);
    Commit(TxType::kRightsFulfil,
           Json{{"request_id", request_id}, {"outcome", "fulfilled"}, {"attestation_hash", copy}});
    if (k == 0) {
      const std::string withdrawal = Sha256Hex(Document(c, "withdrawal by phone, transcript"));
      document_hashes.push_back(withdrawal);
      Commit(TxType::kConsentWithdraw,
             Json{{"consent_id", consent_id}, {"evidence_hash", withdrawal}});
    }
    KeepGet(k % 4, "/v1/subjects/ref:" + ref + "/history", auditor);
    KeepGet(k % 4, "/v1/subjects/ref:" + ref + "/consents", auditor);
    KeepGet(k % 4,
            "/v1/check?subject=ref:" + ref +
                "&recipient=insurer-1&purpose=ClaimsHandling&category=Contact",
            auditor);
    KeepGet(k % 4, "/v1/consents/" + consent_id, auditor);
    KeepGet(k % 4, "/v1/receipts/" + consent_id, auditor);
  }
  const std::uint64_t height = net_.Height(0);
  ASSERT_TRUE(net_.WaitAllHeight(height, 60'000));
  for (int i = 0; i < net_.size(); ++i) {
    KeepGet(i, "/v1/audit/log?format=ndjson", auditor);
    KeepGet(i, "/v1/audit/log?format=csv", auditor);
    KeepGet(i, "/v1/rights?status=open", auditor);
    KeepGet(i, "/v1/blocks/latest", "");
    KeepGet(i, "/v1/status", "");
    KeepGet(i, "/metrics", auditor);
  }
  // consentctl's audit export, a file an auditor keeps.
  const std::string exported = net_.dir() + "/audit-export.ndjson";
  ASSERT_EQ(std::system(("'" + BinaryPath("consentctl") + "' audit export --from 1 --to " +
                         std::to_string(height) + " --format ndjson --quiet --out '" + exported +
                         "' --node '" + net_.url(0) + "' --token '" + auditor + "'")
                            .c_str()),
            0);
  auto export_text = ReadFile(exported, 1 << 26);
  ASSERT_TRUE(export_text.ok());
  Keep("consentctl audit export", *export_text);

  // Stop the nodes (a clean stop flushes the logs and frees the stores), then read every file
  // they wrote, and every key and value of every store through LevelDB's iterator (table
  // files are compressed, so their raw bytes alone would prove nothing).
  std::string logs;
  for (int i = 0; i < net_.size(); ++i) {
    ASSERT_EQ(net_.Stop(i), 0);
    const std::string home = net_.home(i);
    for (const auto& entry : fs::recursive_directory_iterator(home)) {
      if (!entry.is_regular_file()) continue;
      auto bytes = ReadFile(entry.path().string(), 1 << 28);
      ASSERT_TRUE(bytes.ok()) << entry.path();
      if (entry.path().filename() == "consentd.log") logs += *bytes;
      Keep(entry.path().string(), *bytes);
    }
    ASSERT_TRUE(fs::exists(home + "/data/consensus.wal")) << "no WAL to scan in " << home;
    auto store = ledger::OpenLevelDbStore(home + "/data/ledger");
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    std::string dump;
    std::size_t entries = 0;
    for (auto cursor = (*store)->Scan(""); cursor->Valid(); cursor->Next(), ++entries) {
      dump.append(cursor->key());
      dump.push_back('\n');
      dump.append(cursor->value());
      dump.push_back('\n');
    }
    EXPECT_GT(entries, 20u);
    Keep("LevelDB dump of node " + std::to_string(i), dump);
    // The scan sees the ledger: every subject_ref is in every node's store, in binary (keys)
    // or hex (records).
    for (const std::string& ref : refs) {
      EXPECT_NE(dump.find(ref), std::string::npos) << "ref " << ref << " not in node " << i;
    }
  }
  // Positive controls on the export too.
  bool export_seen = false;
  for (const Haystack& h : haystacks_) {
    if (h.where != "consentctl audit export") continue;
    export_seen = true;
    for (const std::string& d : document_hashes) {
      EXPECT_NE(h.bytes.find(d), std::string::npos) << "document hash " << d << " not exported";
    }
  }
  EXPECT_TRUE(export_seen);

  // The needles: every personal string, its SHA-256 in lower and upper hex and raw.
  std::vector<std::pair<std::string, std::string>> needles;
  for (const Customer& c : kCustomers) {
    for (const std::string& p : c.Personal()) {
      needles.push_back({p, p});
      const Hash256 digest = crypto::Sha256(p);
      needles.push_back({"sha256(" + p + ")", HexEncode(digest)});
      needles.push_back({"SHA256(" + p + ")", Upper(HexEncode(digest))});
      needles.push_back(
          {"raw sha256(" + p + ")", std::string(reinterpret_cast<const char*>(digest.data()), 32)});
    }
  }
  std::size_t scanned = 0;
  for (const Haystack& h : haystacks_) {
    scanned += h.bytes.size();
    for (const auto& [what, needle] : needles) {
      EXPECT_EQ(h.bytes.find(needle), std::string::npos) << what << " found in " << h.where;
    }
  }
  EXPECT_GT(scanned, 100'000u);

  // Logs hold neither API tokens nor request bodies, at debug level.
  ASSERT_FALSE(logs.empty());
  for (const auto& [who, token] : tokens) {
    EXPECT_EQ(logs.find(token), std::string::npos) << who << "'s token is in a log";
  }
  for (const std::string& d : document_hashes) {
    EXPECT_EQ(logs.find(d), std::string::npos) << "a request body field is in a log: " << d;
  }
}

}  // namespace
}  // namespace consentd::testing
