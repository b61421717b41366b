#include "common/reason_docs.h"

#include "common/reason.h"

namespace consentd {
namespace {

bool InScope(const ReasonInfo& r, ReasonScope scope) {
  return (r.http_status != 0) == (scope == ReasonScope::kApi);
}

std::string SingleQuoted(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

}  // namespace

std::string ReasonsMarkdown(ReasonScope scope) {
  const bool api = scope == ReasonScope::kApi;
  std::string out;
  std::string_view group;
  bool first = true;
  for (const ReasonInfo& r : AllReasons()) {
    if (!InScope(r, scope)) continue;
    if (first || r.group != group) {
      if (!first) out += "\n";
      out += "### " + std::string(r.group) + "\n\n";
      out += api ? "| code | status | class | meaning |\n|---|---|---|---|\n"
                 : "| code | class | meaning |\n|---|---|---|\n";
      group = r.group;
      first = false;
    }
    out += "| `" + r.code + "` | ";
    if (api) out += std::to_string(r.http_status) + " | ";
    out += std::string(ToString(r.cls)) + " | " + std::string(r.doc) + " |\n";
  }
  return out;
}

std::string ReasonsOpenApi() {
  std::string out;
  for (const ReasonInfo& r : AllReasons()) {
    if (!InScope(r, ReasonScope::kApi)) continue;
    out += "    " + r.code + ": {status: " + std::to_string(r.http_status) +
           ", class: " + SingleQuoted(ToString(r.cls)) + ", meaning: " + SingleQuoted(r.doc) +
           "}\n";
  }
  return out;
}

Json ReasonsJson() {
  Json all = Json::array();
  for (const ReasonInfo& r : AllReasons()) {
    all.push_back({{"code", r.code},
                   {"class", ToString(r.cls)},
                   {"http_status", r.http_status != 0 ? Json(r.http_status) : Json(nullptr)},
                   {"meaning", r.doc},
                   {"group", r.group}});
  }
  return all;
}

}  // namespace consentd
