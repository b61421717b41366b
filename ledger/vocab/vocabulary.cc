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
      &Purposes(),         &Categories(),        &LegalBases(),     &Mechanisms(),
      &Jurisdictions(),    &RightsKinds(),       &Roles(),          &RevokeReasons(),
      &RefusalReasons(),   &SuspendReasons(),    &IncidentCauses(), &IncidentHarms(),
      &IncidentRemedies(), &CollectionMethods(),
  };
  return kLists;
}

}  // namespace consentd::ledger::vocab
