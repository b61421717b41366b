#include "ledger/tx_body.h"

#include <algorithm>

#include "ledger/schema.h"
#include "ledger/tx_decl.h"

namespace consentd::ledger {
namespace {

// "Present" for the rules: in the body and not null (a nullable field's null is present).
bool Present(const TxDecl& decl, const Json& body, std::string_view name) {
  auto it = body.find(name);
  if (it == body.end()) return false;
  if (!it->is_null()) return true;
  const FieldDecl* f = decl.Find(name);
  return f != nullptr && f->nullable;
}

bool Holds(const RuleDecl& rule, const Json& body) {
  switch (rule.when) {
    case When::kAlways:
      return true;
    case When::kKeySubject:
    case When::kRefSubject: {
      auto s = body.find("subject");
      const bool key = s != body.end() && s->is_object() && s->contains("key");
      return key == (rule.when == When::kKeySubject);
    }
    case When::kEmpty:
    case When::kNotEmpty: {
      auto it = body.find(rule.other);
      const bool empty = it == body.end() || it->is_null() || it->empty();
      return empty == (rule.when == When::kEmpty);
    }
    case When::kEquals:
    case When::kNotEquals: {
      auto it = body.find(rule.other);
      const bool equal =
          it != body.end() && it->is_string() && it->get_ref<const std::string&>() == rule.value;
      return equal == (rule.when == When::kEquals);
    }
  }
  return false;
}

// Whether a rule (other than kExactlyOneOf, checked as the fields are read) is broken by a body
// whose every field has been read without error.
bool Broken(const TxDecl& decl, const RuleDecl& rule, const Json& body) {
  switch (rule.kind) {
    case RuleKind::kExactlyOneOf:
      return false;
    case RuleKind::kDistinct:
      return body.at(rule.fields[0]) == body.at(rule.fields[1]);
    case RuleKind::kAtLeastOneOf:
      return std::none_of(rule.fields.begin(), rule.fields.end(),
                          [&](std::string_view f) { return Present(decl, body, f); });
    case RuleKind::kForbidden:
      return Holds(rule, body) && Present(decl, body, rule.fields[0]);
    case RuleKind::kRequired:
      return Holds(rule, body) && !Present(decl, body, rule.fields[0]);
  }
  return false;
}

// kExactlyOneOf groups are checked when the reader reaches the first of their fields.
void CheckGroupsStartingAt(const TxDecl& decl, const FieldDecl& field, FieldReader& r) {
  for (const RuleDecl& rule : decl.rules) {
    if (rule.kind != RuleKind::kExactlyOneOf || !r.ok()) continue;
    const FieldDecl* first = nullptr;
    for (const FieldDecl& f : decl.fields) {
      if (std::find(rule.fields.begin(), rule.fields.end(), f.name) != rule.fields.end()) {
        first = &f;
        break;
      }
    }
    if (first != &field) continue;
    const auto given = std::count_if(rule.fields.begin(), rule.fields.end(),
                                     [&](std::string_view f) { return r.Has(f); });
    if (given != 1) r.Fail(rule.code, rule.message);
  }
}

}  // namespace

const char* ToString(TxType type) { return DeclOf(type).name.data(); }

std::optional<TxType> ParseTxType(std::string_view name) {
  for (const TxDecl& d : TxDecls()) {
    if (d.name == name) return d.type;
  }
  return std::nullopt;
}

const char* ToString(FieldType type) {
  switch (type) {
    case FieldType::kIdentifier:
      return "identifier";
    case FieldType::kNoticeId:
      return "notice id";
    case FieldType::kCode:
      return "code";
    case FieldType::kEnum:
      return "enum";
    case FieldType::kHash:
      return "hash";
    case FieldType::kKey:
      return "key";
    case FieldType::kInt:
      return "integer";
    case FieldType::kTime:
      return "time";
    case FieldType::kBool:
      return "bool";
    case FieldType::kTrue:
      return "true";
    case FieldType::kSubject:
      return "subject";
    case FieldType::kNotice:
      return "notice";
  }
  return "?";
}

const char* ToString(RuleKind kind) {
  switch (kind) {
    case RuleKind::kExactlyOneOf:
      return "exactly_one_of";
    case RuleKind::kDistinct:
      return "distinct";
    case RuleKind::kAtLeastOneOf:
      return "at_least_one_of";
    case RuleKind::kForbidden:
      return "forbidden";
    case RuleKind::kRequired:
      return "required";
  }
  return "?";
}

const char* ToString(When when) {
  switch (when) {
    case When::kAlways:
      return "always";
    case When::kKeySubject:
      return "key_subject";
    case When::kRefSubject:
      return "ref_subject";
    case When::kEmpty:
      return "empty";
    case When::kNotEmpty:
      return "not_empty";
    case When::kEquals:
      return "equals";
    case When::kNotEquals:
      return "not_equals";
  }
  return "?";
}

const FieldDecl* TxDecl::Find(std::string_view name) const {
  for (const FieldDecl& f : fields) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

const TxDecl& DeclOf(TxType type) { return TxDecls()[static_cast<std::size_t>(type)]; }

Result<TxBody> ParseBody(TxType type, const Json& body) {
  return ParseBody(type, body, Trust::kUntrusted);
}

Result<TxBody> ParseBody(TxType type, const Json& body, Trust trust) {
  if (static_cast<int>(type) >= kTxTypeCount) {
    return Status::Error(Reason::kTxUnknownType, "unknown transaction type");
  }
  const TxDecl& decl = DeclOf(type);
  FieldReader r(body, "body", trust);
  TxBody out = decl.make();
  for (const FieldDecl& f : decl.fields) {
    if (!r.stored()) CheckGroupsStartingAt(decl, f, r);
    f.read(r, f, out);
  }
  for (const RuleDecl& rule : decl.rules) {
    if (r.ok() && !r.stored() && Broken(decl, rule, body)) r.Fail(rule.code, rule.message);
  }
  CONSENTD_RETURN_IF_ERROR(r.Finish());
  return out;
}

}  // namespace consentd::ledger
