#include "wallet/tx_builder.h"

#include <charconv>
#include <ctime>

#include "ledger/subject.h"

namespace consentd::wallet {
namespace {

using ledger::TxType;
using K = FieldKind;

Status Usage(std::string m) { return Status::Error("usage", std::move(m)); }

std::vector<TxSpec> MakeSpecs() {
  const std::string_view kPurposes = "purposes (docs/VOCABULARY.md: purposes)";
  const std::string_view kCategories = "data categories (docs/VOCABULARY.md: categories)";
  const std::string_view kJur = "ISO 3166-1 alpha-2 code";
  const std::string_view kReason = "reason code (docs/VOCABULARY.md: suspend reasons)";
  std::vector<TxSpec> s;
  s.push_back({TxType::kMemberRegister,
               "the governance threshold of active members",
               {{"member", K::kIdentifier, true, "", "new member id"},
                {"roles", K::kCodes, true, "", "insurer, regulator, auditor, processor"},
                {"keys", K::kKeys, true, "", "the member's signing keys"},
                {"jurisdiction", K::kCode, true, "", kJur},
                {"validator_key", K::kKey, false, "", "node key joining the validator set"}}});
  s.push_back({TxType::kMemberUpdate,
               "the governance threshold of active members",
               {{"member", K::kIdentifier, true, "", "member id"},
                {"roles", K::kCodes, false, "", "new roles"},
                {"keys", K::kKeys, false, "", "new signing keys"},
                {"jurisdiction", K::kCode, false, "", kJur},
                {"validator_key", K::kKeyOrNone, false, "", "new node key, or none to remove"},
                {"reinstate", K::kBool, false, "", "true lifts a suspension"}}});
  s.push_back({TxType::kMemberSuspend,
               "an active regulator, or the governance threshold",
               {{"member", K::kIdentifier, true, "", "member id"},
                {"reason", K::kCode, true, "", kReason}}});
  s.push_back({TxType::kNoticePublish,
               "the controller",
               {{"controller", K::kIdentifier, true, "", "the insurer publishing the notice"},
                {"notice_id", K::kIdentifier, true, "", "notice identifier"},
                {"version", K::kInt, true, "", "version, higher than the last"},
                {"notice_hash", K::kHash, true, "", "SHA-256 of the notice document"}}});
  s.push_back(
      {TxType::kConsentGrant,
       "the controller and the subject's key (or its delegate); a ref subject: the controller",
       {{"controller", K::kIdentifier, true, "", "the insurer receiving consent"},
        {"subject", K::kSubject, true, "", "key:<hex> or ref:<hex>"},
        {"purposes", K::kCodes, true, "", kPurposes},
        {"categories", K::kCodes, true, "", kCategories},
        {"recipients", K::kIdentifiers, true, "-", "third-party member ids (default none)"},
        {"jurisdictions", K::kCodes, true, "-", "destinations abroad (default none)"},
        {"agreement", K::kHash, false, "", "cross-border agreement id"},
        {"separate", K::kBool, true, "false", "separate consent (sensitive, third party, abroad)"},
        {"notice", K::kNotice, true, "", "<notice_id>:<version> of a published notice"},
        {"collection_method", K::kCode, true, "", "app, in_person, paper, phone, web"},
        {"valid_from", K::kTime, true, "", "start of validity"},
        {"valid_until", K::kTime, true, "", "end of validity"},
        {"supersedes", K::kHash, false, "", "consent id this grant renews"},
        {"delegate", K::kKey, false, "", "guardian or agent key that signs for the subject"},
        {"evidence_hash", K::kHash, false, "",
         "ref subjects: hash of the controller's evidence"}}});
  s.push_back({TxType::kConsentWithdraw,
               "the subject's key (or delegate); a ref subject: the controller",
               {{"consent_id", K::kHash, true, "", "the grant's tx id"},
                {"evidence_hash", K::kHash, false, "", "ref subjects: hash of the evidence"}}});
  s.push_back({TxType::kConsentRevoke,
               "the current controller or an active regulator",
               {{"consent_id", K::kHash, true, "", "the grant's tx id"},
                {"reason", K::kCode, true, "", "docs/VOCABULARY.md: revoke reasons"}}});
  s.push_back({TxType::kAgreementCreate,
               "exporter and importer",
               {{"exporter", K::kIdentifier, true, "", "exporting insurer"},
                {"importer", K::kIdentifier, true, "", "importing member"},
                {"mechanism", K::kCode, true, "", "docs/VOCABULARY.md: mechanisms"},
                {"filing_ref_hash", K::kHash, true, "", "hash of the filing reference"},
                {"destinations", K::kCodes, true, "", "ISO 3166-1 codes"},
                {"purposes", K::kCodes, true, "", kPurposes},
                {"categories", K::kCodes, true, "", kCategories},
                {"valid_from", K::kTime, true, "", "start"},
                {"valid_until", K::kTime, true, "", "end"}}});
  s.push_back({TxType::kAgreementActivate,
               "exporter and importer (and a regulator after a regulator's suspension)",
               {{"agreement_id", K::kHash, true, "", "the agreement.create tx id"},
                {"approval_ref_hash", K::kHash, false, "", "cac-assessment: approval hash"}}});
  for (TxType t : {TxType::kAgreementSuspend, TxType::kAgreementTerminate}) {
    s.push_back({t,
                 "exporter, importer or a regulator",
                 {{"agreement_id", K::kHash, true, "", "the agreement.create tx id"},
                  {"reason", K::kCode, true, "", kReason}}});
  }
  s.push_back({TxType::kPortfolioTransfer,
               "transferor and transferee",
               {{"transferor", K::kIdentifier, true, "", "insurer handing over"},
                {"transferee", K::kIdentifier, true, "", "insurer taking over"},
                {"consents", K::kHashes, false, "", "consent ids (or --all-consents true)"},
                {"all_consents", K::kBool, false, "", "true: every live consent"},
                {"effective_at", K::kTime, true, "", "when the consents move"},
                {"notice_hash", K::kHash, true, "", "hash of the notice to subjects"},
                {"approval_ref_hash", K::kHash, false, "", "regulator approval hash"}}});
  s.push_back({TxType::kSharingRecord,
               "the sender",
               {{"sender", K::kIdentifier, true, "", "member sharing the data"},
                {"recipient", K::kIdentifier, true, "", "member receiving it"},
                {"subject", K::kSubject, true, "", "key:<hex> or ref:<hex>"},
                {"purpose", K::kCode, true, "", kPurposes},
                {"categories", K::kCodes, true, "", kCategories},
                {"destination", K::kCode, true, "", kJur},
                {"legal_basis", K::kCode, true, "", "docs/VOCABULARY.md: legal bases"},
                {"shared_at", K::kTime, true, "", "when it was shared"}}});
  s.push_back({TxType::kRightsRequest,
               "the subject's key; a ref subject: the controller",
               {{"controller", K::kIdentifier, true, "", "the insurer asked"},
                {"subject", K::kSubject, true, "", "key:<hex> or ref:<hex>"},
                {"kind", K::kCode, true, "", "docs/VOCABULARY.md: rights kinds"},
                {"consent_id", K::kHash, false, "", "the consent concerned"},
                {"evidence_hash", K::kHash, false, "", "ref subjects: hash of the evidence"}}});
  s.push_back({TxType::kRightsFulfil,
               "the request's controller",
               {{"request_id", K::kHash, true, "", "the request's id"},
                {"outcome", K::kCode, true, "", "fulfilled or refused"},
                {"reason", K::kCode, false, "", "refusals: docs/VOCABULARY.md refusal reasons"},
                {"attestation_hash", K::kHash, true, "", "hash of the controller's attestation"}}});
  s.push_back({TxType::kIncidentReport,
               "the controller",
               {{"controller", K::kIdentifier, true, "", "reporting insurer"},
                {"detected_at", K::kTime, true, "", "detection time"},
                {"categories", K::kCodes, true, "", kCategories},
                {"cause", K::kCode, true, "", "docs/VOCABULARY.md: incident causes"},
                {"harms", K::kCodes, true, "", "docs/VOCABULARY.md: incident harms"},
                {"remedies", K::kCodes, true, "", "docs/VOCABULARY.md: incident remedies"},
                {"affected_count", K::kInt, true, "", "number of affected subjects"},
                {"affected_commitment", K::kHash, true, "", "commitment to the affected subjects"},
                {"notice_hash", K::kHash, true, "", "hash of the incident notice"},
                {"regulator_notified_at", K::kTime, false, "", "when the regulator was told"},
                {"subjects_notified_at", K::kTime, false, "", "when subjects were told"}}});
  return s;
}

Result<std::int64_t> ParseInt(std::string_view text, std::string_view field) {
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
    return Usage(std::string(field) + ": \"" + std::string(text.substr(0, 40)) +
                 "\" is not an integer");
  }
  return v;
}

std::vector<std::string> SplitList(std::string_view text) {
  std::vector<std::string> out;
  if (text.empty() || text == "-") return out;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = text.find(',', start);
    std::string item(
        text.substr(start, comma == std::string_view::npos ? text.npos : comma - start));
    while (!item.empty() && item.front() == ' ') item.erase(item.begin());
    while (!item.empty() && item.back() == ' ') item.pop_back();
    out.push_back(std::move(item));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

Result<Json> ValueOf(const FieldSpec& f, const std::string& text) {
  const std::string name(f.name);
  switch (f.kind) {
    case K::kIdentifier:
    case K::kCode:
    case K::kHash:
    case K::kKey:
      return Json(text);
    case K::kIdentifiers:
    case K::kCodes:
    case K::kHashes:
    case K::kKeys: {
      Json list = Json::array();
      for (std::string& item : SplitList(text)) list.push_back(std::move(item));
      return list;
    }
    case K::kKeyOrNone:
      return text == "none" ? Json() : Json(text);
    case K::kInt: {
      CONSENTD_ASSIGN_OR_RETURN(std::int64_t v, ParseInt(text, name));
      return Json(v);
    }
    case K::kTime: {
      auto t = ParseTime(text);
      if (!t.ok()) return Usage(name + ": " + t.status().message());
      return Json(*t);
    }
    case K::kBool:
      if (text == "true") return Json(true);
      if (text == "false") return Json(false);
      return Usage(name + ": expected true or false");
    case K::kSubject: {
      auto s = ledger::Subject::FromString(text);
      if (!s.ok())
        return Usage(name + ": expected key:<hex> or ref:<hex> (" + s.status().message() + ")");
      return s->ToJson();
    }
    case K::kNotice: {
      const auto colon = text.rfind(':');
      if (colon == std::string::npos) return Usage(name + ": expected <notice_id>:<version>");
      CONSENTD_ASSIGN_OR_RETURN(std::int64_t version, ParseInt(text.substr(colon + 1), name));
      return Json{{"notice_id", text.substr(0, colon)}, {"version", version}};
    }
  }
  return Usage("unknown field kind");
}

}  // namespace

const char* ToString(FieldKind kind) {
  switch (kind) {
    case K::kIdentifier:
      return "identifier";
    case K::kIdentifiers:
      return "identifier list";
    case K::kCode:
      return "code";
    case K::kCodes:
      return "code list";
    case K::kHash:
      return "hash";
    case K::kHashes:
      return "hash list";
    case K::kKey:
      return "key";
    case K::kKeys:
      return "key list";
    case K::kKeyOrNone:
      return "key or none";
    case K::kInt:
      return "integer";
    case K::kTime:
      return "time";
    case K::kBool:
      return "true|false";
    case K::kSubject:
      return "subject";
    case K::kNotice:
      return "notice:version";
  }
  return "?";
}

const std::vector<TxSpec>& TxSpecs() {
  static const std::vector<TxSpec> specs = MakeSpecs();
  return specs;
}

const TxSpec& SpecOf(ledger::TxType type) { return TxSpecs()[static_cast<std::size_t>(type)]; }

Result<std::int64_t> ParseTime(std::string_view text) {
  if (!text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos) {
    auto v = ParseInt(text, "time");
    if (!v.ok() || *v > kJsonMaxSafeInteger) return Usage("time out of range");
    return *v;
  }
  // YYYY-MM-DDTHH:MM:SS[.mmm]Z
  std::tm tm{};
  int ms = 0;
  const std::string s(text);
  int consumed = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &consumed) != 6 ||
      consumed != 19) {
    return Usage("\"" + s.substr(0, 40) +
                 "\" is not a time (Unix milliseconds or 2026-01-01T00:00:00Z)");
  }
  std::string_view rest = text.substr(19);
  if (rest.starts_with(".")) {
    if (rest.size() < 5 || rest.substr(1, 3).find_first_not_of("0123456789") != rest.npos) {
      return Usage("fraction must be .mmm");
    }
    ms = (rest[1] - '0') * 100 + (rest[2] - '0') * 10 + (rest[3] - '0');
    rest = rest.substr(4);
  }
  if (rest != "Z") return Usage("times are UTC: end them with Z");
  if (tm.tm_year < 1970 || tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
      tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60) {
    return Usage("\"" + s.substr(0, 40) + "\" is not a valid date and time");
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  const std::time_t secs = timegm(&tm);
  return static_cast<std::int64_t>(secs) * 1000 + ms;
}

Result<Json> BuildBody(ledger::TxType type, const std::map<std::string, std::string>& values) {
  const TxSpec& spec = SpecOf(type);
  for (const auto& [name, value] : values) {
    bool known = false;
    for (const FieldSpec& f : spec.fields) known = known || f.name == name;
    if (!known) {
      return Usage(std::string(ledger::ToString(type)) + " has no field " + name);
    }
  }
  Json body = Json::object();
  for (const FieldSpec& f : spec.fields) {
    auto it = values.find(std::string(f.name));
    std::string text;
    if (it != values.end()) {
      text = it->second;
    } else if (f.required && !f.fallback.empty()) {
      text = std::string(f.fallback);
    } else if (f.required) {
      return Usage(std::string(ledger::ToString(type)) + " needs " + std::string(f.name) + " (" +
                   ToString(f.kind) + ": " + std::string(f.help) + ")");
    } else {
      continue;
    }
    CONSENTD_ASSIGN_OR_RETURN(Json v, ValueOf(f, text));
    body[std::string(f.name)] = std::move(v);
  }
  CONSENTD_RETURN_IF_ERROR(CheckBody(type, body));
  return body;
}

Status CheckBody(ledger::TxType type, const Json& body) {
  auto parsed = ledger::ParseBody(type, body);
  return parsed.ok() ? Status::Ok() : parsed.status();
}

}  // namespace consentd::wallet
