#include "ledger/tx_decl_docs.h"

namespace consentd::ledger {
namespace {

constexpr const char* kHexPattern = "^[0-9a-f]{64}$";

Json HexString(const char* what) {
  return Json{{"type", "string"}, {"pattern", kHexPattern}, {"description", what}};
}

// The schema of one value of the field (one entry, for a list).
Json ItemSchema(const FieldDecl& f) {
  switch (f.type) {
    case FieldType::kIdentifier:
      // 2-32 of [a-z0-9-], a letter first, at most 4 digits in a row.
      return Json{{"type", "string"}, {"pattern", "^(?!.*[0-9]{5})[a-z][a-z0-9-]{1,31}$"}};
    case FieldType::kNoticeId:
      return Json{{"type", "string"}, {"pattern", "^[0-9a-f]{32}$"}};
    case FieldType::kCode: {
      Json codes = Json::array();
      for (const vocab::Code& c : f.vocab->codes()) codes.push_back(c.code);
      return Json{{"type", "string"}, {"enum", std::move(codes)}};
    }
    case FieldType::kEnum: {
      Json allowed = Json::array();
      for (std::string_view a : f.allowed) allowed.push_back(a);
      return Json{{"type", "string"}, {"enum", std::move(allowed)}};
    }
    case FieldType::kHash:
      return Json{{"type", "string"}, {"pattern", kHexPattern}};
    case FieldType::kKey:
      return Json{{"type", "string"}, {"pattern", kHexPattern}};
    case FieldType::kInt:
    case FieldType::kTime:
      return Json{{"type", "integer"}, {"minimum", f.min}, {"maximum", f.max}};
    case FieldType::kBool:
      return Json{{"type", "boolean"}};
    case FieldType::kTrue:
      return Json{{"const", true}};
    case FieldType::kSubject:
      return Json{
          {"type", "object"},
          {"additionalProperties", false},
          {"properties",
           {{"key", HexString("the customer's BIP340 key")},
            {"ref", HexString("HMAC-SHA256 of the customer id")}}},
          {"oneOf", Json::array({Json{{"required", {"key"}}}, Json{{"required", {"ref"}}}})}};
    case FieldType::kNotice:
      return Json{{"type", "object"},
                  {"additionalProperties", false},
                  {"required", {"notice_id", "version"}},
                  {"properties",
                   {{"notice_id", Json{{"type", "string"}, {"pattern", "^[0-9a-f]{32}$"}}},
                    {"version",
                     Json{{"type", "integer"}, {"minimum", 1}, {"maximum", kMaxNoticeVersion}}}}}};
  }
  return Json::object();
}

Json FieldSchema(const FieldDecl& f) {
  Json s;
  if (f.list) {
    s = Json{{"type", "array"},
             {"items", ItemSchema(f)},
             {"minItems", f.min},
             {"maxItems", f.max},
             {"uniqueItems", true}};
    if (f.min == 0) s = Json{{"anyOf", Json::array({std::move(s), Json{{"type", "null"}}})}};
  } else if (!f.required && f.type != FieldType::kTrue) {
    // An optional scalar may be null (absent); a nullable one's null means "remove".
    s = Json{{"anyOf", Json::array({ItemSchema(f), Json{{"type", "null"}}})}};
  } else {
    s = ItemSchema(f);
  }
  s["description"] = f.doc;
  return s;
}

Json FieldDeclJson(const FieldDecl& f) {
  Json j{{"name", f.name},         {"type", ToString(f.type)}, {"list", f.list},
         {"required", f.required}, {"nullable", f.nullable},   {"doc", f.doc}};
  if (f.vocab != nullptr) j["vocabulary"] = f.vocab->name();
  if (!f.allowed.empty()) j["allowed"] = f.allowed;
  if (f.list || f.type == FieldType::kInt || f.type == FieldType::kTime) {
    j["min"] = f.min;
    j["max"] = f.max;
  }
  if (!f.builder_default.empty()) j["builder_default"] = f.builder_default;
  return j;
}

Json RuleDeclJson(const RuleDecl& r) {
  Json j{{"kind", ToString(r.kind)},
         {"fields", r.fields},
         {"when", ToString(r.when)},
         {"code", ToString(r.code)},
         {"message", r.message}};
  if (!r.other.empty()) j["other"] = r.other;
  if (!r.value.empty()) j["value"] = r.value;
  return j;
}

}  // namespace

Json JsonSchemaOf(const TxDecl& decl) {
  const std::string type = ToString(decl.type);
  Json properties = Json::object();
  Json required = Json::array();
  Json fields = Json::array();
  for (const FieldDecl& f : decl.fields) {
    properties[std::string(f.name)] = FieldSchema(f);
    if (f.required) required.push_back(f.name);
    fields.push_back(FieldDeclJson(f));
  }
  Json rules = Json::array();
  Json one_of;
  for (const RuleDecl& r : decl.rules) {
    rules.push_back(RuleDeclJson(r));
    if (r.kind == RuleKind::kExactlyOneOf) {
      one_of = Json::array();
      for (std::string_view f : r.fields) one_of.push_back(Json{{"required", {f}}});
    }
  }
  Json s{{"$schema", "https://json-schema.org/draft/2020-12/schema"},
         {"$id", "urn:consentd:tx-body:" + type},
         {"title", type + " body"},
         {"description", "The body of a " + type + " transaction (docs/LEDGER.md). Signed by " +
                             std::string(decl.signed_by) +
                             ". Generated from ledger/tx_types.cc by `consentctl schema`."},
         {"type", "object"},
         {"additionalProperties", false},
         {"required", std::move(required)},
         {"properties", std::move(properties)},
         {"x-consentd-type", type},
         {"x-consentd-signed-by", decl.signed_by},
         {"x-consentd-fields", std::move(fields)},
         {"x-consentd-rules", std::move(rules)}};
  if (!one_of.is_null()) s["oneOf"] = std::move(one_of);
  return s;
}

std::string BodySummaryOf(const TxDecl& decl) {
  std::string out;
  for (const FieldDecl& f : decl.fields) {
    if (!out.empty()) out += ", ";
    out += f.name;
    if (f.list) out += "[]";
    if (!f.required) out += "?";
    if (f.type == FieldType::kTrue) out += " (true)";
    if (f.nullable) out += " (null removes)";
    if (f.type == FieldType::kNotice) out += " {notice_id, version}";
    if (f.type == FieldType::kEnum) {
      out += " (";
      for (std::size_t i = 0; i < f.allowed.size(); ++i) {
        out += (i ? "/" : "") + std::string("`") + std::string(f.allowed[i]) + "`";
      }
      out += ")";
    }
  }
  return out;
}

}  // namespace consentd::ledger
