#pragma once

// Per-customer notice deliveries of a transfer (PIPL Art. 22; docs/RECEIPTS.md "Transfer
// notices"). The seller (or the acquirer) tells each customer of the transfer and keeps a
// delivery record for each: the transfer, the customer's subject, when, and a random nonce. It
// puts one Merkle root over a batch of them on the ledger (transfer.notify) and gives each
// customer an inclusion proof, which the customer checks offline and then against the root the
// ledger holds. The leaf hides the customer from anyone holding another customer's proof: the
// nonce makes sibling hashes unguessable.
//
//   leaf = TaggedHash("consentd/transfer-notice/v1",
//                     transfer_id (32) || subject (33: 0x01 key / 0x02 ref, then 32 bytes) ||
//                     delivered_at (8, big-endian) || nonce (32))
//   root = the RFC 9162 Merkle tree hash over the leaves in batch order (crypto/merkle.h)

#include <cstdint>
#include <vector>

#include "common/bytes.h"
#include "common/json.h"
#include "common/result.h"
#include "ledger/subject.h"

namespace consentd::wallet {

inline constexpr const char* kNoticeProofFormat = "consentd/transfer-notice-proof/v1";

struct NoticeDelivery {
  Hash256 transfer_id{};
  ledger::Subject subject;
  std::int64_t delivered_at = 0;
  Hash256 nonce{};
};

Hash256 NoticeDeliveryLeaf(const NoticeDelivery& d);

struct NoticeBatch {
  Hash256 root{};
  std::int64_t delivered_until = 0;  // the latest delivered_at
  std::vector<Json> proofs;          // one per delivery, in batch order
};

// The batch's root and every customer's proof. Errors: notice_batch_invalid (no deliveries, more
// than 10,000,000, a delivery of another transfer, a time outside [0, 2^53 - 1]).
Result<NoticeBatch> BuildNoticeBatch(const std::vector<NoticeDelivery>& deliveries);

// One delivery record of a batch file: {"subject": "key:<hex>" | "ref:<hex>", "delivered_at":
// ms}; the nonce is drawn here. Errors: notice_batch_invalid.
Result<NoticeDelivery> ParseDeliveryLine(const Hash256& transfer_id, const Json& line);

struct VerifiedNotice {
  NoticeDelivery delivery;
  Hash256 root{};
  std::uint64_t index = 0;
  std::uint64_t tree_size = 0;
};

// Checks a proof on its own: its shape (notice_proof_malformed) and that its path leads from the
// leaf to its deliveries_root (notice_proof_mismatch).
Result<VerifiedNotice> VerifyNoticeProof(const Json& proof);

// Checks the proof's root against the ledger's answer for the transfer's notices
// (GET /v1/transfers/{id}/notices): a batch with that root and that many deliveries
// (notice_proof_not_on_ledger).
Status NoticeRootOnLedger(const VerifiedNotice& v, const Json& notices);

}  // namespace consentd::wallet
