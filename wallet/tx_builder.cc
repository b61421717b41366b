#include "wallet/tx_builder.h"

#include <charconv>
#include <ctime>

#include "ledger/subject.h"

namespace consentd::wallet {
namespace {

using ledger::FieldDecl;
using F = ledger::FieldType;

Status Usage(std::string m) { return Status::Error(Reason::kUsage, std::move(m)); }

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

Result<Json> ScalarOf(const FieldDecl& f, const std::string& text) {
  const std::string name(f.name);
  switch (f.type) {
    case F::kIdentifier:
    case F::kNoticeId:
    case F::kCode:
    case F::kEnum:
    case F::kHash:
    case F::kKey:
      return Json(text);
    case F::kInt: {
      CONSENTD_ASSIGN_OR_RETURN(std::int64_t v, ParseInt(text, name));
      return Json(v);
    }
    case F::kTime: {
      auto t = ParseTime(text);
      if (!t.ok()) return Usage(name + ": " + t.status().message());
      return Json(*t);
    }
    case F::kBool:
    case F::kTrue:
      if (text == "true") return Json(true);
      if (text == "false") return Json(false);
      return Usage(name + ": expected true or false");
    case F::kSubject: {
      auto s = ledger::Subject::FromString(text);
      if (!s.ok())
        return Usage(name + ": expected key:<hex> or ref:<hex> (" + s.status().message() + ")");
      return s->ToJson();
    }
    case F::kNotice: {
      const auto colon = text.rfind(':');
      if (colon == std::string::npos) return Usage(name + ": expected <notice_id>:<version>");
      CONSENTD_ASSIGN_OR_RETURN(std::int64_t version, ParseInt(text.substr(colon + 1), name));
      return Json{{"notice_id", text.substr(0, colon)}, {"version", version}};
    }
  }
  return Usage("unknown field type");
}

Result<Json> ValueOf(const FieldDecl& f, const std::string& text) {
  if (f.nullable && text == "none") return Json();
  if (!f.list) return ScalarOf(f, text);
  Json list = Json::array();
  for (const std::string& item : SplitList(text)) {
    CONSENTD_ASSIGN_OR_RETURN(Json v, ScalarOf(f, item));
    list.push_back(std::move(v));
  }
  return list;
}

}  // namespace

std::string TextFormOf(const FieldDecl& f) {
  std::string form;
  switch (f.type) {
    case F::kBool:
    case F::kTrue:
      form = "true|false";
      break;
    case F::kNotice:
      form = "notice:version";
      break;
    case F::kEnum:
      for (std::string_view a : f.allowed) form += (form.empty() ? "" : "|") + std::string(a);
      break;
    default:
      form = ledger::ToString(f.type);
  }
  if (f.list) form += " list";
  if (f.nullable) form += " or none";
  return form;
}

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
  const ledger::TxDecl& decl = ledger::DeclOf(type);
  for (const auto& [name, value] : values) {
    if (decl.Find(name) == nullptr) {
      return Usage(std::string(ledger::ToString(type)) + " has no field " + name);
    }
  }
  Json body = Json::object();
  for (const FieldDecl& f : decl.fields) {
    auto it = values.find(std::string(f.name));
    std::string text;
    if (it != values.end()) {
      text = it->second;
    } else if (!f.builder_default.empty()) {
      text = std::string(f.builder_default);
    } else if (f.required) {
      return Usage(std::string(ledger::ToString(type)) + " needs " + std::string(f.name) + " (" +
                   TextFormOf(f) + ": " + std::string(f.doc) + ")");
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
