#pragma once

// A data subject as the ledger knows them: never a name or an ID number, only
//  - a BIP340 public key held by the customer's wallet ({"key": hex}), or
//  - subject_ref = HMAC-SHA256(controller_secret, customer_id), computed off-ledger by the
//    controller for customers without a key ({"ref": hex}).
// The text form "key:<hex>" / "ref:<hex>" is used in API paths and index keys.

#include <optional>
#include <string>
#include <string_view>

#include "common/bytes.h"
#include "common/json.h"
#include "common/result.h"

namespace consentd::ledger {

enum class Trust : std::uint8_t;  // ledger/schema.h

struct Subject {
  enum class Kind : std::uint8_t { kKey = 1, kRef = 2 };
  Kind kind = Kind::kKey;
  Hash256 id{};

  bool is_key() const { return kind == Kind::kKey; }
  std::string ToString() const;  // "key:<hex>" or "ref:<hex>"
  Json ToJson() const;           // {"key": hex} or {"ref": hex}
  // 33 bytes: kind, then id. Used inside store keys.
  std::string Binary() const;

  // Errors: tx_invalid_value.
  static Result<Subject> FromString(std::string_view text);
  // Errors: tx_wrong_type, tx_invalid_value, tx_unknown_field, tx_missing_field. A stored
  // subject's key is not checked to be a curve point again (it was when its tx was accepted).
  static Result<Subject> FromJson(const Json& value, const std::string& path);
  static Result<Subject> FromJson(const Json& value, const std::string& path, Trust trust);
  static std::optional<Subject> FromBinary(std::string_view bytes);

  friend bool operator==(const Subject&, const Subject&) = default;
  friend auto operator<=>(const Subject&, const Subject&) = default;
};

}  // namespace consentd::ledger
