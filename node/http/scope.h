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
//   - a customer (a signed request, auth.h): the transactions and records about their own
//     subject key: those whose subject (or one of whose subjects) it is;
//   - auditor and regulator tokens: everything.

#include <string>
#include <string_view>

#include "common/json.h"
#include "ledger/query/queries.h"
#include "node/http/auth.h"

namespace consentd::node::http {

bool MaySee(const Principal& who, const ledger::TxParties& parties);

// Is `member` a party to this record view (consent, sharing event, agreement, request,
// incident): named in one of its party fields or in its history?
bool Involves(const Json& record, std::string_view member);
// Is this record about `subject` ("subject": {"key": hex} or "subject_id": "key:<hex>")?
bool Concerns(const Json& record, const ledger::Subject& subject);
bool MaySeeRecord(const Principal& who, const Json& record);
// The message of a 403 for `what` ("this consent") outside `who`'s scope.
std::string OutOfScope(const Principal& who, std::string_view what);

}  // namespace consentd::node::http
