#include "ledger/vocab/vocabulary.h"

#include <algorithm>

namespace consentd::ledger::vocab {

const Code* CodeList::Find(std::string_view code) const {
  auto it = std::lower_bound(codes_.begin(), codes_.end(), code,
                             [](const Code& c, std::string_view v) { return c.code < v; });
  return it != codes_.end() && it->code == code ? &*it : nullptr;
}

std::span<const CodeList* const> AllLists() {
  static const CodeList* const kLists[] = {
      &Purposes(),
      &Categories(),
      &LegalBases(),
      &Mechanisms(),
      &Jurisdictions(),
      &RightsKinds(),
      &Roles(),
      &RevokeReasons(),
      &RefusalReasons(),
      &SuspendReasons(),
      &IncidentCauses(),
      &IncidentHarms(),
      &IncidentRemedies(),
      &CollectionMethods(),
      &AssessmentScopes(),
  };
  return kLists;
}

Json VocabulariesJson() {
  Json out = Json::object();
  for (const CodeList* list : AllLists()) {
    Json codes = Json::array();
    Json sensitive = Json::array();
    for (const Code& c : list->codes()) {
      codes.push_back(std::string(c.code));
      if (c.sensitive) sensitive.push_back(std::string(c.code));
    }
    Json entry{{"version", list->version()}, {"codes", std::move(codes)}};
    if (!sensitive.empty()) entry["sensitive"] = std::move(sensitive);
    out[std::string(list->name())] = std::move(entry);
  }
  return out;
}

}  // namespace consentd::ledger::vocab
