#pragma once

// FieldReader: reads one JSON object of untrusted input against a whitelist schema. Each
// accessor consumes one field; Finish() then rejects any field that was not consumed, so a
// body can never carry anything the schema does not name (no personal data by accident).
// The first error wins; later accessors return defaults and leave it in place, so parsing code
// reads straight through and checks once at the end.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.h"
#include "common/json.h"
#include "crypto/schnorr.h"
#include "ledger/vocab/vocabulary.h"

namespace consentd::ledger {

// Member ids and chain ids: 2-32 of [a-z0-9-], starting with a letter, with no run of more than
// 4 digits. They name organisations and networks, set by genesis or the governance threshold,
// and cannot spell a name with spaces or capitals, a phone number, an ID number or an e-mail.
bool IsValidIdentifier(std::string_view id);
// Notice ids: a random 128-bit id, 32 lower-case hex digits.
bool IsValidNoticeId(std::string_view id);
// Does a 32-byte hash, id or key look like text rather than a hash: at least
// kTextLikeBytes of its 32 bytes printable ASCII (0x20-0x7e)? A uniformly random value does
// with probability about 5 in a billion (a salted document hash that does is salted again).
inline constexpr int kTextLikeBytes = 28;
bool LooksLikeText(const Hash256& value);

// Where the object comes from. kStored: a record this ledger wrote from a body that passed the
// full schema when its tx was accepted; the shape is still read (a damaged record fails), but
// formats, vocabularies, duplicates and text checks are not run again (they cost, on every
// consent a check reads, more than the read itself).
enum class Trust : std::uint8_t { kUntrusted, kStored };

class FieldReader {
 public:
  // `path` names the object in error messages ("body", "body.subject").
  FieldReader(const Json& value, std::string path, Trust trust = Trust::kUntrusted);

  bool ok() const { return status_.ok(); }
  bool stored() const { return trust_ == Trust::kStored; }

  std::string Identifier(std::string_view key);
  std::optional<std::string> OptionalIdentifier(std::string_view key);
  std::vector<std::string> Identifiers(std::string_view key, std::size_t min, std::size_t max);
  std::string NoticeId(std::string_view key);
  std::string Code(std::string_view key, const vocab::CodeList& list);
  std::optional<std::string> OptionalCode(std::string_view key, const vocab::CodeList& list);
  std::vector<std::string> Codes(std::string_view key, const vocab::CodeList& list, std::size_t min,
                                 std::size_t max);
  // One of `allowed` (a closed set spelled out by the schema itself).
  std::string Enum(std::string_view key, const std::vector<std::string_view>& allowed);
  std::optional<std::string> OptionalEnum(std::string_view key,
                                          const std::vector<std::string_view>& allowed);
  Hash256 Hash(std::string_view key);
  std::optional<Hash256> OptionalHash(std::string_view key);
  std::vector<Hash256> Hashes(std::string_view key, std::size_t min, std::size_t max);
  // nullopt exactly when an error has been recorded (or, for OptionalKey, when absent).
  std::optional<crypto::PublicKey> Key(std::string_view key);
  std::optional<crypto::PublicKey> OptionalKey(std::string_view key);
  std::vector<crypto::PublicKey> Keys(std::string_view key, std::size_t min, std::size_t max);
  // Integer in [min, max].
  std::int64_t Int(std::string_view key, std::int64_t min, std::int64_t max);
  std::optional<std::int64_t> OptionalInt(std::string_view key, std::int64_t min, std::int64_t max);
  // Unix milliseconds, UTC: [0, 2^53 - 1].
  std::int64_t Time(std::string_view key);
  std::optional<std::int64_t> OptionalTime(std::string_view key);
  bool Bool(std::string_view key);
  // The raw value of a required object field, for a nested FieldReader; nullptr on error.
  const Json* Object(std::string_view key);
  // The raw value of a required field of any type, for the caller to check; nullptr on error.
  const Json* Raw(std::string_view key);
  // True when the field is present (even if null); does not consume it.
  bool Has(std::string_view key) const;
  // Consumes a field that must be JSON null when present.
  bool IsNull(std::string_view key) const;

  // Records an error raised by the caller's own cross-field rules (first error wins).
  void Fail(Reason code, std::string message);
  // Records an error from a nested reader (first error wins).
  void Fail(Status error);
  // "body.key": how errors name a field of this object.
  std::string Name(std::string_view key) const;

  // OK, or the first error, or tx_unknown_field for the first field no accessor consumed.
  Status Finish();

 private:
  // Marks `key` consumed and returns its value; nullptr (and an error unless `optional`) when
  // absent. A present null counts as absent for optional fields.
  const Json* Field(std::string_view key, bool optional);
  // A required string field; nullptr (with the error recorded) when absent or not a string.
  const std::string* StringField(std::string_view key);
  template <typename T>
  std::vector<T> Array(std::string_view key, std::size_t min, std::size_t max,
                       T (FieldReader::*item)(const Json&, const std::string&));
  std::string ItemIdentifier(const Json& v, const std::string& name);
  Hash256 ItemHash(const Json& v, const std::string& name);
  std::optional<crypto::PublicKey> ParseKey(const Hash256& bytes, const std::string& name);

  const Json& value_;
  std::string path_;
  Trust trust_;
  Status status_;
  // Keys of value_ already read (views into value_'s own keys; few, so a vector).
  std::vector<std::string_view> consumed_;
  const vocab::CodeList* list_ = nullptr;  // for Codes()
};

}  // namespace consentd::ledger
