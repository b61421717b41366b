#include "ledger/state/check.h"

#include <algorithm>

#include "common/hex.h"

namespace consentd::ledger {
namespace {

bool Contains(const std::vector<std::string>& list, std::string_view v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

// How far a consent got toward justifying one category; the furthest failure is the most
// useful reason to report.
struct Evaluation {
  CheckReason reason = CheckReason::kNoConsent;
  int rank = -1;
  std::optional<Hash256> agreement;
};

int Rank(CheckReason r) {
  switch (r) {
    case CheckReason::kNoConsent:
      return 0;
    case CheckReason::kSenderNotController:
      return 1;
    case CheckReason::kPurposeNotCovered:
      return 2;
    case CheckReason::kCategoryNotCovered:
      return 3;
    case CheckReason::kRecipientNotCovered:
      return 4;
    case CheckReason::kNotYetValid:
    case CheckReason::kExpired:
    case CheckReason::kWithdrawn:
    case CheckReason::kRevoked:
    case CheckReason::kSuperseded:
      return 5;
    case CheckReason::kJurisdictionNotCovered:
      return 6;
    case CheckReason::kAgreementMissing:
      return 7;
    case CheckReason::kAgreementNotActive:
      return 8;
    case CheckReason::kAgreementDoesNotCover:
      return 9;
    case CheckReason::kAllowed:
      return 10;
  }
  return 0;
}

class Checker {
 public:
  Checker(const StateReader& state, const CheckRequest& req) : state_(state), req_(req) {}

  Result<Evaluation> Evaluate(const ConsentRecord& c, std::string_view category) {
    const std::int64_t t = req_.at;
    const std::string& controller = c.ControllerAt(t);
    if (req_.sender && *req_.sender != controller) {
      // A former controller may hand the data to the successor (PIPL Art. 22).
      const bool handover = req_.recipient == controller && WasController(c, *req_.sender, t);
      if (!handover) return Fail(CheckReason::kSenderNotController);
    }
    if (!Contains(c.grant.purposes, req_.purpose)) return Fail(CheckReason::kPurposeNotCovered);
    if (!Contains(c.grant.categories, category)) return Fail(CheckReason::kCategoryNotCovered);
    if (req_.recipient != controller && !Contains(c.grant.recipients, req_.recipient)) {
      return Fail(CheckReason::kRecipientNotCovered);
    }
    switch (c.StatusAt(t)) {
      case ConsentStatus::kUnknown:
        return Fail(CheckReason::kNotYetValid);
      case ConsentStatus::kWithdrawn:
        return Fail(CheckReason::kWithdrawn);
      case ConsentStatus::kRevoked:
        return Fail(CheckReason::kRevoked);
      case ConsentStatus::kSuperseded:
        return Fail(CheckReason::kSuperseded);
      case ConsentStatus::kExpired:
        return Fail(CheckReason::kExpired);
      case ConsentStatus::kGiven:
      case ConsentStatus::kRenewed:
      case ConsentStatus::kTransferred:
        break;
    }
    if (t < c.grant.valid_from) return Fail(CheckReason::kNotYetValid);

    Evaluation ok{CheckReason::kAllowed, Rank(CheckReason::kAllowed), std::nullopt};
    if (!req_.jurisdiction) return ok;
    CONSENTD_ASSIGN_OR_RETURN(auto member, state_.Member(controller));
    if (member && member->jurisdiction == *req_.jurisdiction) return ok;  // domestic
    if (!Contains(c.grant.jurisdictions, *req_.jurisdiction)) {
      return Fail(CheckReason::kJurisdictionNotCovered);
    }
    if (!c.grant.agreement) return Fail(CheckReason::kAgreementMissing);
    CONSENTD_ASSIGN_OR_RETURN(auto agreement, state_.Agreement(*c.grant.agreement));
    if (!agreement || !agreement->ActiveAt(t)) return Fail(CheckReason::kAgreementNotActive);
    const auto [exporter, importer] = agreement->PartiesAt(t);
    if (exporter != controller || importer != req_.recipient ||
        !agreement->Covers(*req_.jurisdiction, req_.purpose, {std::string(category)})) {
      return Fail(CheckReason::kAgreementDoesNotCover);
    }
    ok.agreement = agreement->id;
    return ok;
  }

 private:
  static Evaluation Fail(CheckReason r) { return Evaluation{r, Rank(r), std::nullopt}; }

  static bool WasController(const ConsentRecord& c, std::string_view member, std::int64_t t) {
    if (c.grant.controller == member) return true;
    return std::any_of(c.events.begin(), c.events.end(), [&](const ConsentEvent& e) {
      return e.type == ConsentEventKind::kTransferred && e.at <= t && e.to == member;
    });
  }

  const StateReader& state_;
  const CheckRequest& req_;
};

std::string Describe(CheckReason r, const CheckRequest& req, std::string_view category) {
  switch (r) {
    case CheckReason::kAllowed:
      return "covered by a valid consent";
    case CheckReason::kNoConsent:
      return "the subject has no consent on the ledger";
    case CheckReason::kSenderNotController:
      return "no consent of the subject is controlled by " + req.sender.value_or("");
    case CheckReason::kPurposeNotCovered:
      return "no consent covers the purpose " + req.purpose;
    case CheckReason::kCategoryNotCovered:
      return "no consent covers the category " + std::string(category);
    case CheckReason::kRecipientNotCovered:
      return "no consent names the recipient " + req.recipient;
    case CheckReason::kNotYetValid:
      return "the consent was not yet valid at that time";
    case CheckReason::kExpired:
      return "the consent had expired at that time";
    case CheckReason::kWithdrawn:
      return "the subject had withdrawn the consent";
    case CheckReason::kRevoked:
      return "the consent had been revoked";
    case CheckReason::kSuperseded:
      return "the consent had been superseded by a renewal";
    case CheckReason::kJurisdictionNotCovered:
      return "the consent does not cover transfers to " + req.jurisdiction.value_or("");
    case CheckReason::kAgreementMissing:
      return "the consent names no cross-border agreement";
    case CheckReason::kAgreementNotActive:
      return "the cross-border agreement was not active";
    case CheckReason::kAgreementDoesNotCover:
      return "the cross-border agreement does not cover this transfer";
  }
  return "";
}

}  // namespace

Reason ReasonOf(CheckReason reason) {
  switch (reason) {
    case CheckReason::kAllowed:
      return Reason::kOk;
    case CheckReason::kNoConsent:
      return Reason::kNoConsent;
    case CheckReason::kSenderNotController:
      return Reason::kSharingSenderNotController;
    case CheckReason::kPurposeNotCovered:
      return Reason::kPurposeNotCovered;
    case CheckReason::kCategoryNotCovered:
      return Reason::kCategoryNotCovered;
    case CheckReason::kRecipientNotCovered:
      return Reason::kRecipientNotCovered;
    case CheckReason::kNotYetValid:
      return Reason::kConsentNotYetValid;
    case CheckReason::kExpired:
      return Reason::kConsentExpired;
    case CheckReason::kWithdrawn:
      return Reason::kConsentWithdrawn;
    case CheckReason::kRevoked:
      return Reason::kConsentRevoked;
    case CheckReason::kSuperseded:
      return Reason::kConsentSuperseded;
    case CheckReason::kJurisdictionNotCovered:
      return Reason::kJurisdictionNotCovered;
    case CheckReason::kAgreementMissing:
      return Reason::kAgreementMissing;
    case CheckReason::kAgreementNotActive:
      return Reason::kAgreementNotActive;
    case CheckReason::kAgreementDoesNotCover:
      return Reason::kAgreementDoesNotCover;
  }
  return Reason::kNoConsent;
}

const char* ToString(CheckReason reason) {
  return reason == CheckReason::kAllowed ? "allowed" : ToString(ReasonOf(reason)).c_str();
}

Result<CheckResult> Check(const StateReader& state, const CheckRequest& req) {
  CONSENTD_ASSIGN_OR_RETURN(auto ids, state.SubjectConsentIds(req.subject));
  std::vector<ConsentRecord> consents;
  consents.reserve(ids.size());
  for (const Hash256& id : ids) {
    CONSENTD_ASSIGN_OR_RETURN(auto c, state.Consent(id));
    if (!c)
      return Status::Error(Reason::kStoreCorruption,
                           "index names a missing consent " + HexEncode(id));
    consents.push_back(std::move(*c));
  }

  CheckResult result;
  result.allowed = true;
  result.reason = CheckReason::kAllowed;
  Checker checker(state, req);
  for (const std::string& category : req.categories) {
    Evaluation best;
    std::optional<Hash256> closest;
    bool covered = false;
    for (const ConsentRecord& c : consents) {
      CONSENTD_ASSIGN_OR_RETURN(Evaluation e, checker.Evaluate(c, category));
      if (e.reason == CheckReason::kAllowed) {
        covered = true;
        if (std::find(result.consents.begin(), result.consents.end(), c.id) ==
            result.consents.end()) {
          result.consents.push_back(c.id);
        }
        if (e.agreement && !result.agreement) result.agreement = e.agreement;
      } else if (e.rank > best.rank) {
        best = e;
        closest = c.id;
      }
    }
    if (!covered) {
      CheckResult denied;
      denied.allowed = false;
      denied.reason = best.reason;
      denied.detail = Describe(best.reason, req, category);
      if (closest) denied.consents.push_back(*closest);
      return denied;
    }
  }
  result.detail = Describe(CheckReason::kAllowed, req, "");
  return result;
}

}  // namespace consentd::ledger
