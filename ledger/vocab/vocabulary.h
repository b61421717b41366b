#pragma once

// Versioned code lists: every place a transaction names a purpose, a data category, a legal
// basis, a transfer mechanism, a jurisdiction, a rights kind or a reason, it uses a code from
// one of these lists. There is no free text on the ledger (DESIGN.md section 2): a code either
// is in the list or the transaction is rejected with `tx_invalid_code`.
//
// Each list lives in its own .cc file with a version number; adding or removing a code bumps the
// version and is a consensus change (all validators must run the same lists). docs/VOCABULARY.md
// documents every list and is checked against these tables by vocabulary_test.

#include <span>
#include <string_view>

#include "common/json.h"

namespace consentd::ledger::vocab {

struct Code {
  std::string_view code;
  // Personal-data categories only: sensitive data under PIPL Art. 28, which needs separate
  // consent (Art. 29).
  bool sensitive = false;
};

class CodeList {
 public:
  // REQUIRES: `codes` sorted by code, without duplicates (checked by vocabulary_test).
  constexpr CodeList(std::string_view name, int version, std::span<const Code> codes)
      : name_(name), version_(version), codes_(codes) {}

  std::string_view name() const { return name_; }
  int version() const { return version_; }
  std::span<const Code> codes() const { return codes_; }

  // nullptr when `code` is not in the list.
  const Code* Find(std::string_view code) const;
  bool Contains(std::string_view code) const { return Find(code) != nullptr; }

 private:
  std::string_view name_;
  int version_;
  std::span<const Code> codes_;
};

const CodeList& Purposes();           // W3C DPV purposes + insurance extension
const CodeList& Categories();         // Kantara CR 1.1 personal-data categories (+ PIPL sensitive)
const CodeList& LegalBases();         // PIPL Art. 13
const CodeList& Mechanisms();         // cross-border transfer mechanisms (PIPL Art. 38, GDPR 45-47)
const CodeList& Jurisdictions();      // ISO 3166-1 alpha-2
const CodeList& RightsKinds();        // PIPL Arts. 44-47, GDPR 15-21
const CodeList& Roles();              // member roles
const CodeList& RevokeReasons();      // consent.revoke
const CodeList& RefusalReasons();     // rights.fulfil with outcome "refused"
const CodeList& SuspendReasons();     // member.suspend, agreement.suspend/terminate
const CodeList& IncidentCauses();     // incident.report (PIPL Art. 57)
const CodeList& IncidentHarms();      // incident.report
const CodeList& IncidentRemedies();   // incident.report
const CodeList& CollectionMethods();  // consent.grant (Kantara collectionMethod)
const CodeList& AssessmentScopes();   // assessment.record (PIPL Art. 55)

// Every list, for documentation and tests.
std::span<const CodeList* const> AllLists();

// Every list as the JSON outside clients and the web app read (docs/api/vocabularies.json,
// `consentctl vocab`): {"<name>": {"version": N, "codes": [...], "sensitive": [...]}}, codes
// in list order; "sensitive" only where some code is.
Json VocabulariesJson();

}  // namespace consentd::ledger::vocab
