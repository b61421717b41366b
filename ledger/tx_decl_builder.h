#pragma once

// The vocabulary the declarations in tx_types.cc are written in: one constructor per field
// format, modifiers for presence, and BodyDecl, which binds each field to a member of the
// type's body struct so that the one generic reader fills it. Only tx_types.cc includes this.

#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "ledger/schema.h"
#include "ledger/state/kinds.h"
#include "ledger/tx_decl.h"

namespace consentd::ledger::decl {

using F = FieldType;

inline FieldDecl Scalar(std::string_view name, FieldType type, std::string_view doc) {
  FieldDecl f;
  f.name = name;
  f.type = type;
  f.doc = doc;
  return f;
}
inline FieldDecl List(std::string_view name, FieldType type, std::int64_t min, std::int64_t max,
                      std::string_view doc) {
  FieldDecl f = Scalar(name, type, doc);
  f.list = true;
  f.required = min > 0;
  f.min = min;
  f.max = max;
  return f;
}

inline FieldDecl Identifier(std::string_view name, std::string_view doc) {
  return Scalar(name, F::kIdentifier, doc);
}
inline FieldDecl Identifiers(std::string_view name, std::int64_t min, std::int64_t max,
                             std::string_view doc) {
  return List(name, F::kIdentifier, min, max, doc);
}
inline FieldDecl NoticeId(std::string_view name, std::string_view doc) {
  return Scalar(name, F::kNoticeId, doc);
}
inline FieldDecl Code(std::string_view name, const vocab::CodeList& list, std::string_view doc) {
  FieldDecl f = Scalar(name, F::kCode, doc);
  f.vocab = &list;
  return f;
}
inline FieldDecl Codes(std::string_view name, const vocab::CodeList& list, std::int64_t min,
                       std::int64_t max, std::string_view doc) {
  FieldDecl f = List(name, F::kCode, min, max, doc);
  f.vocab = &list;
  return f;
}
inline FieldDecl Enum(std::string_view name, std::vector<std::string_view> allowed,
                      std::string_view doc) {
  FieldDecl f = Scalar(name, F::kEnum, doc);
  f.allowed = std::move(allowed);
  return f;
}
inline FieldDecl Hash(std::string_view name, std::string_view doc) {
  return Scalar(name, F::kHash, doc);
}
inline FieldDecl Hashes(std::string_view name, std::int64_t min, std::int64_t max,
                        std::string_view doc) {
  return List(name, F::kHash, min, max, doc);
}
inline FieldDecl Key(std::string_view name, std::string_view doc) {
  return Scalar(name, F::kKey, doc);
}
inline FieldDecl Keys(std::string_view name, std::int64_t min, std::int64_t max,
                      std::string_view doc) {
  return List(name, F::kKey, min, max, doc);
}
inline FieldDecl Int(std::string_view name, std::int64_t min, std::int64_t max,
                     std::string_view doc) {
  FieldDecl f = Scalar(name, F::kInt, doc);
  f.min = min;
  f.max = max;
  return f;
}
inline FieldDecl Time(std::string_view name, std::string_view doc) {
  FieldDecl f = Scalar(name, F::kTime, doc);
  f.min = 0;
  f.max = kJsonMaxSafeInteger;
  return f;
}
inline FieldDecl Bool(std::string_view name, std::string_view doc) {
  return Scalar(name, F::kBool, doc);
}
// A flag that is absent or the literal true.
inline FieldDecl True(std::string_view name, std::string_view doc) {
  FieldDecl f = Scalar(name, F::kTrue, doc);
  f.required = false;
  return f;
}
inline FieldDecl SubjectField(std::string_view name, std::string_view doc) {
  return Scalar(name, F::kSubject, doc);
}
inline FieldDecl Notice(std::string_view name, std::string_view doc) {
  return Scalar(name, F::kNotice, doc);
}

inline FieldDecl Optional(FieldDecl f) {
  f.required = false;
  return f;
}
inline FieldDecl Nullable(FieldDecl f) {
  f.required = false;
  f.nullable = true;
  return f;
}
inline FieldDecl Default(FieldDecl f, std::string_view text) {
  f.builder_default = text;
  return f;
}

inline RuleDecl ExactlyOneOf(std::string_view a, std::string_view b, std::string_view message) {
  return {RuleKind::kExactlyOneOf, {a, b}, When::kAlways, {}, {}, Reason::kTxInvalidValue,
          std::string(message)};
}
inline RuleDecl Distinct(std::string_view a, std::string_view b) {
  return {RuleKind::kDistinct,
          {a, b},
          When::kAlways,
          {},
          {},
          Reason::kTxInvalidValue,
          std::string(a) + " and " + std::string(b) + " must differ"};
}
inline RuleDecl AtLeastOneOf(std::vector<std::string_view> fields, std::string_view message) {
  return {RuleKind::kAtLeastOneOf, std::move(fields),   When::kAlways, {}, {},
          Reason::kTxMissingField, std::string(message)};
}
inline RuleDecl Forbidden(std::string_view field, When when, std::string_view message,
                          std::string_view other = {}, std::string_view value = {}) {
  return {RuleKind::kForbidden, {field}, when, other, value, Reason::kTxInvalidValue,
          std::string(message)};
}
inline RuleDecl Required(std::string_view field, When when, Reason code, std::string_view message,
                         std::string_view other = {}, std::string_view value = {}) {
  return {RuleKind::kRequired, {field}, when, other, value, code, std::string(message)};
}

// --- reading one field into a member, by the member's type ----------------------------------

inline void Read(FieldReader& r, const FieldDecl& f, std::string& out) {
  switch (f.type) {
    case F::kNoticeId:
      out = r.NoticeId(f.name);
      return;
    case F::kCode:
      out = r.Code(f.name, *f.vocab);
      return;
    case F::kEnum:
      out = r.Enum(f.name, f.allowed);
      return;
    default:
      out = r.Identifier(f.name);
      return;
  }
}
inline void Read(FieldReader& r, const FieldDecl& f, std::optional<std::string>& out) {
  switch (f.type) {
    case F::kCode:
      out = r.OptionalCode(f.name, *f.vocab);
      return;
    case F::kEnum:
      out = r.OptionalEnum(f.name, f.allowed);
      return;
    default:
      out = r.OptionalIdentifier(f.name);
      return;
  }
}
inline void Read(FieldReader& r, const FieldDecl& f, std::vector<std::string>& out) {
  out = f.type == F::kCode ? r.Codes(f.name, *f.vocab, f.min, f.max)
                           : r.Identifiers(f.name, f.min, f.max);
}
inline void Read(FieldReader& r, const FieldDecl& f, Hash256& out) { out = r.Hash(f.name); }
inline void Read(FieldReader& r, const FieldDecl& f, std::optional<Hash256>& out) {
  out = r.OptionalHash(f.name);
}
inline void Read(FieldReader& r, const FieldDecl& f, std::vector<Hash256>& out) {
  out = r.Hashes(f.name, f.min, f.max);
}
inline void Read(FieldReader& r, const FieldDecl& f, std::optional<crypto::PublicKey>& out) {
  out = f.required ? r.Key(f.name) : r.OptionalKey(f.name);
}
inline void Read(FieldReader& r, const FieldDecl& f, std::vector<crypto::PublicKey>& out) {
  out = r.Keys(f.name, f.min, f.max);
}
inline void Read(FieldReader& r, const FieldDecl& f, std::int64_t& out) {
  out = r.Int(f.name, f.min, f.max);
}
inline void Read(FieldReader& r, const FieldDecl& f, std::optional<std::int64_t>& out) {
  out = r.OptionalInt(f.name, f.min, f.max);
}
inline void Read(FieldReader& r, const FieldDecl& f, bool& out) {
  if (f.type != F::kTrue) {
    out = r.Bool(f.name);
    return;
  }
  if (!r.Has(f.name)) return;
  out = r.Bool(f.name);
  if (r.ok() && !out) r.Fail(Reason::kTxInvalidValue, r.Name(f.name) + " may only be true");
}
inline void Read(FieldReader& r, const FieldDecl& f, Subject& out) {
  const Json* s = r.Object(f.name);
  if (s == nullptr) return;
  auto subject =
      Subject::FromJson(*s, r.Name(f.name), r.stored() ? Trust::kStored : Trust::kUntrusted);
  if (subject.ok()) {
    out = *subject;
  } else {
    r.Fail(subject.status());
  }
}
inline void Read(FieldReader& r, const FieldDecl& f, NoticeRef& out) {
  const Json* n = r.Object(f.name);
  if (n == nullptr) return;
  FieldReader nr(*n, r.Name(f.name), r.stored() ? Trust::kStored : Trust::kUntrusted);
  out.notice_id = nr.NoticeId("notice_id");
  out.version = nr.Int("version", 1, kMaxNoticeVersion);
  if (Status s = nr.Finish(); !s.ok()) r.Fail(s);
}
// A closed set with wire names (ledger/state/kinds.h).
template <typename E>
requires std::is_enum_v<E>
void Read(FieldReader& r, const FieldDecl& f, E& out) {
  const std::string name = r.Enum(f.name, f.allowed);
  if (!r.ok()) return;
  if (auto e = FromWire<E>(name)) {
    out = *e;
  } else {
    r.Fail(Reason::kTxInvalidCode, r.Name(f.name) + " has no meaning for \"" + name + "\"");
  }
}
// An optional list with at least one entry, present (BodyDecl::Field skips it when absent).
template <typename T>
void Read(FieldReader& r, const FieldDecl& f, std::optional<std::vector<T>>& out) {
  out.emplace();
  Read(r, f, *out);
}
// A nullable field: absent (unchanged), null (removed) or a value.
template <typename T>
void Read(FieldReader& r, const FieldDecl& f, std::optional<std::optional<T>>& out) {
  if (!r.Has(f.name)) return;
  out.emplace();
  Read(r, f, *out);
}

// The declaration of a type whose body is the struct `Body`.
template <typename Body>
class BodyDecl {
 public:
  BodyDecl(TxType type, std::string_view name, std::string_view signed_by) {
    decl_.type = type;
    decl_.name = name;
    decl_.signed_by = signed_by;
    decl_.make = [] { return TxBody(Body{}); };
  }
  template <typename M>
  BodyDecl& Field(M Body::*member, FieldDecl f) {
    f.read = [member](FieldReader& r, const FieldDecl& d, TxBody& body) {
      // An optional list of at least one entry may be absent, but not null or empty.
      if (d.list && !d.required && d.min > 0 && !r.Has(d.name)) return;
      Read(r, d, std::get<Body>(body).*member);
    };
    decl_.fields.push_back(std::move(f));
    return *this;
  }
  BodyDecl& Rule(RuleDecl rule) {
    decl_.rules.push_back(std::move(rule));
    return *this;
  }
  TxDecl Build() { return std::move(decl_); }

 private:
  TxDecl decl_;
};

}  // namespace consentd::ledger::decl
