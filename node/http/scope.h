#pragma once

// What a caller may read (docs/API.md, "Access"): one place that says whether a principal may
// see a committed transaction, a block's transaction list, or a record.
//
//   - without a token: nothing that concerns a subject or a member's business; only what a
//     light client needs (block headers and certificates, validator sets, status);
//   - an insurer (member) token: network-level transactions (member.*, notice.publish) and the
//     transactions and records its member is a party to: names (controller, original
//     controller, recipient, sender, exporter, importer, transferor, transferee), signs, or
//     that refer to a consent, agreement or rights request it is a party to;
//   - auditor and regulator tokens: everything.

#include <string_view>

#include "common/json.h"
#include "ledger/query/queries.h"
#include "node/http/auth.h"

namespace consentd::node::http {

bool MaySee(const Principal& who, const ledger::TxParties& parties);

// Is `member` a party to this record view (consent, sharing event, agreement, request,
// incident): named in one of its party fields or in its history?
bool Involves(const Json& record, std::string_view member);
bool MaySeeRecord(const Principal& who, const Json& record);

}  // namespace consentd::node::http
