#pragma once

// A gtest fixture over TestChain with the steps most rule tests start from.

#include <gtest/gtest.h>

#include <string>

#include "common/hex.h"
#include "ledger/state/check.h"
#include "ledger/testing/test_chain.h"

namespace consentd::ledger::testing {

class ExecFixture : public ::testing::Test {
 protected:
  ExecFixture() = default;
  explicit ExecFixture(Genesis genesis) : chain_(NewMemoryStore(), std::move(genesis)) {}

  // Status code of executing one tx ("ok" when it committed).
  std::string Code(TxType type, Json body, const std::vector<std::string>& signers) {
    Status st = chain_.Do(type, std::move(body), signers);
    return st.ok() ? "ok" : st.code();
  }
  std::string Code(const TxPtr& tx) {
    Status st = chain_.Submit(tx);
    return st.ok() ? "ok" : st.code();
  }
  // Commits `tx` and returns its id; fails the test if it is rejected.
  Hash256 Commit(TxType type, Json body, const std::vector<std::string>& signers) {
    TxPtr tx = chain_.Make(type, std::move(body), signers);
    Status st = chain_.Submit(tx);
    EXPECT_TRUE(st.ok()) << ToString(type) << ": " << st.ToString();
    return tx->id();
  }
  void Notice(const std::string& controller = "insurer-a") {
    Commit(TxType::kNoticePublish, chain_.PublishNotice(controller), {controller});
  }
  // A plain grant by insurer-a for `subject` (ClaimsHandling, Contact).
  Hash256 Grant(const std::string& subject = "alice", Json body = nullptr) {
    if (body.is_null()) body = chain_.GrantBody(subject);
    return Commit(TxType::kConsentGrant, std::move(body), {"insurer-a", subject});
  }
  // An agreement insurer-a -> insurer-x (SG), active.
  Hash256 ActiveAgreement(Json extra = Json::object()) {
    Json body{{"exporter", "insurer-a"},
              {"importer", "insurer-x"},
              {"mechanism", "standard-contract"},
              {"filing_ref_hash", Hex(HashOf("filing"))},
              {"destinations", {"SG"}},
              {"purposes", {"ClaimsHandling", "Reinsurance"}},
              {"categories", {"Contact", "Health"}},
              {"valid_from", kGenesisTime},
              {"valid_until", kGenesisTime + 3 * kYear}};
    body.update(extra);
    const Hash256 id = Commit(TxType::kAgreementCreate, body, {"insurer-a", "insurer-x"});
    Commit(TxType::kAgreementActivate, Json{{"agreement_id", Hex(id)}}, {"insurer-a", "insurer-x"});
    return id;
  }
  Json Subject(const std::string& name) { return Json{{"key", chain_.SubjectHex(name)}}; }
  Json Sharing(const std::string& subject, const std::string& recipient = "processor",
               const std::string& category = "Contact") {
    return Json{{"sender", "insurer-a"},       {"recipient", recipient},
                {"subject", Subject(subject)}, {"purpose", "ClaimsHandling"},
                {"categories", {category}},    {"destination", "CN"},
                {"legal_basis", "consent"},    {"shared_at", chain_.next_time() - 1}};
  }
  static std::string Hex(const Hash256& h) { return HexEncode(h); }

  // The auditor's check against the committed state.
  CheckResult CheckNow(CheckRequest req) {
    StateReader reader(chain_.ledger().store());
    auto r = Check(reader, req);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : CheckResult{};
  }

  TestChain chain_;
};

}  // namespace consentd::ledger::testing
