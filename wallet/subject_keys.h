#pragma once

// A key per insurer for each customer (docs/WALLET.md). A customer's wallet holds one secret,
// the wallet root, and derives from it a separate subject key for every controller (insurer)
// it deals with, so two insurers comparing their records cannot link the customer by key
// (PIPL Art. 73: de-identified data that can be linked back is still personal information).
//
//   secret(root, C, i) = TaggedHash("consentd/subject-key/v1", root || C || 0x00 || i)
//
// root is the wallet root's 32 secret bytes, C the controller's member id in ASCII (2-32
// characters of [a-z0-9-], docs/LEDGER.md), i one counter byte starting at 0. The first i
// whose hash, read as a big-endian integer, lies in [1, n-1] (n the secp256k1 order) is the
// subject key's secret; its BIP340 public key is the subject `key:<hex>` the customer uses with
// C. A hash outside that range has probability below 2^-127; the counter only makes the
// derivation total.
//
// When the customer chooses, a key link proves that several subject keys belong to one holder
// (to a regulator, or to the acquirer of a portfolio that now holds consents granted under the
// seller's key): a statement naming the keys, the chain, the audience and the time, signed by
// every key it names.
//
//   {"type": "consentd/key-link", "version": 1, "chain_id": <id>, "audience": <member id>,
//    "issued_at": <unix ms>, "keys": [<hex>, ...],
//    "signatures": [{"key": <hex>, "sig": <hex>}, ...]}
//
//   sign hash = TaggedHash("consentd/key-link/v1", canonical(statement without "signatures"))
//
// `keys` holds 2 to 16 distinct keys in ascending order; `signatures` exactly one BIP340
// signature by each of them, in the same order.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/json.h"
#include "common/result.h"
#include "crypto/schnorr.h"

namespace consentd::wallet {

inline constexpr std::string_view kSubjectKeyTag = "consentd/subject-key/v1";
inline constexpr std::string_view kKeyLinkTag = "consentd/key-link/v1";
inline constexpr std::string_view kKeyLinkType = "consentd/key-link";
inline constexpr std::size_t kMinLinkedKeys = 2;
inline constexpr std::size_t kMaxLinkedKeys = 16;
// A key-link document is small: 16 keys and signatures fit in 4 KiB.
inline constexpr std::size_t kMaxKeyLinkBytes = 16 << 10;

// The subject key `root` derives for `controller`. Errors: "bad_controller" (not a member id).
Result<crypto::PrivateKey> DeriveSubjectKey(const crypto::PrivateKey& root,
                                            std::string_view controller);

struct KeyLink {
  std::string chain_id;
  std::string audience;  // the member id the customer made the proof for
  std::int64_t issued_at = 0;
  std::vector<crypto::PublicKey> keys;  // ascending, distinct
};

// The canonical statement (without signatures) and its sign hash.
Json KeyLinkStatement(const KeyLink& link);
Hash256 KeyLinkSignHash(const KeyLink& link);

// A signed key link over the public keys of `keys`. Errors: "link_invalid" (fewer than 2 or
// more than 16 keys, a key twice, a chain id or audience that is not an identifier, issued_at
// outside 0..2^53-1).
Result<Json> MakeKeyLink(const std::vector<const crypto::PrivateKey*>& keys,
                         std::string_view chain_id, std::string_view audience,
                         std::int64_t issued_at);

// What a verifier expects; an unset field is not checked.
struct KeyLinkExpectation {
  std::optional<std::string> chain_id;
  std::optional<std::string> audience;
};

// Checks a key-link document: exactly the fields above, the formats, the key order, and one
// valid signature by each named key. Errors, first match wins: "link_malformed" (wrong shape,
// naming the field; a key that signed twice too), "link_wrong_chain", "link_wrong_audience",
// "link_signature_missing" (a named key did not sign, or signatures are not in key order),
// "link_unexpected_signer" (a signature by a key the statement does not name),
// "link_bad_signature".
Result<KeyLink> VerifyKeyLink(const Json& doc, const KeyLinkExpectation& expect = {});
// As VerifyKeyLink, from the document's text (at most kMaxKeyLinkBytes).
Result<KeyLink> VerifyKeyLinkText(std::string_view text, const KeyLinkExpectation& expect = {});

}  // namespace consentd::wallet
