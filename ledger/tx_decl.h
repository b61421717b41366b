#pragma once

// One declaration per transaction type (docs/DEVELOPMENT.md, "Adding a transaction type"): its
// body's fields in the order they are read, each with its format, presence, vocabulary, limits
// and doc line; its cross-field rules with their reason codes; and who signs it. Everything else
// that knows a body's shape is made from these declarations and from nothing else:
//   - the parser and validator (ParseBody, tx_body.cc), field by field in declaration order, so
//     the first error in that order wins;
//   - the CLI's builder and its --help (wallet/tx_builder.cc);
//   - the JSON Schemas in docs/api/schemas/ (tx_decl_docs.cc, `consentctl schema`), which the
//     web app's verifier reads at build time and outside clients may use;
//   - the body column of docs/LEDGER.md's transaction table (held equal by a test).
// The state rules of a type (who must be a member, what a consent covers) are its execution
// rule in ledger/exec/, not part of the declaration.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "ledger/tx_body.h"
#include "ledger/vocab/vocabulary.h"

namespace consentd::ledger {

class FieldReader;

// What a field holds (docs/LEDGER.md "Field formats").
enum class FieldType : std::uint8_t {
  kIdentifier,  // member id
  kNoticeId,    // 32 lowercase hex digits
  kCode,        // a code of `vocab`
  kEnum,        // one of `allowed`, a closed set the declaration spells out
  kHash,        // 32 bytes, hex, not text
  kKey,         // a BIP340 x-only public key, hex
  kInt,         // an integer in [min, max]
  kTime,        // Unix milliseconds, [0, 2^53 - 1]
  kBool,        // true or false
  kTrue,        // the literal true (a flag: absent means false)
  kSubject,     // {"key": key} or {"ref": hash}
  kNotice,      // {"notice_id": notice id, "version": int in [1, 1000000]}
};
const char* ToString(FieldType type);  // "identifier", "notice id", ...

struct FieldDecl {
  std::string_view name;
  FieldType type = FieldType::kIdentifier;
  // A list of `type` values, with [min, max] entries and no duplicates. A list with min 0 may
  // be absent or null (empty); one with min >= 1 is required unless `required` is false, in
  // which case it may be absent but not null.
  bool list = false;
  // Optional scalars may be absent or null (absent); `nullable` ones give null a meaning of its
  // own (member.update validator_key: null removes it).
  bool required = true;
  bool nullable = false;
  const vocab::CodeList* vocab = nullptr;  // kCode
  std::vector<std::string_view> allowed;   // kEnum
  std::int64_t min = 0;                    // list: entries; kInt: value
  std::int64_t max = 0;
  std::string_view doc;              // one line: meaning, vocabulary, text form
  std::string_view builder_default;  // text a builder fills in when none is given ("" = none)
  // Reads the field into its member of the typed body (bound by the declaration).
  std::function<void(FieldReader&, const FieldDecl&, TxBody&)> read;
};

// A rule across fields, checked after every field has been read (or, for kExactlyOneOf, when
// the reader reaches the first of its fields). "Present" means in the body and not null, except
// that a nullable field's null is present.
enum class RuleKind : std::uint8_t {
  kExactlyOneOf,  // exactly one of `fields` is in the body (null counts)
  kDistinct,      // fields[0] and fields[1] differ
  kAtLeastOneOf,  // at least one of `fields` is present
  kForbidden,     // fields[0] is absent when `when` holds
  kRequired,      // fields[0] is present when `when` holds
};
enum class When : std::uint8_t {
  kAlways,
  kKeySubject,  // the body's subject is {"key": ...}
  kRefSubject,  // the body's subject is {"ref": ...}
  kEmpty,       // the list field `other` is absent or empty
  kNotEmpty,    // the list field `other` has at least one entry
  kEquals,      // the field `other` is the string `value`
  kNotEquals,   // the field `other` is not the string `value` (or absent)
};
struct RuleDecl {
  RuleKind kind;
  std::vector<std::string_view> fields;
  When when = When::kAlways;
  std::string_view other;
  std::string_view value;
  Reason code = Reason::kTxInvalidValue;
  std::string message;  // the error message, word for word
};
const char* ToString(RuleKind kind);  // "exactly_one_of", ...
const char* ToString(When when);      // "key_subject", ...

struct TxDecl {
  TxType type;
  std::string_view name;  // "consent.grant": the tx's "type" field (ToString(TxType))
  std::string_view signed_by;
  std::vector<FieldDecl> fields;
  std::vector<RuleDecl> rules;
  // An empty body of the type's struct, for the fields' `read` to fill.
  std::function<TxBody()> make;

  const FieldDecl* Find(std::string_view name) const;
};

// One entry per TxType, in enum order.
const std::vector<TxDecl>& TxDecls();
const TxDecl& DeclOf(TxType type);

}  // namespace consentd::ledger
