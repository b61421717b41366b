#include "common/reason.h"

#include <vector>

namespace consentd {
namespace {

struct Row {
  bool group;  // a group heading: `code` holds its title
  std::string_view code;
  std::string_view name;
  Reason reason;
  ReasonClass cls;
  int http_status;
  std::string_view doc;
};

constexpr Row kRows[] = {
#define CONSENTD_REASON_GROUP(title) {true, title, "", Reason::kOk, ReasonClass::kInternal, 0, ""},
#define CONSENTD_REASON(name, code, cls, http, doc) \
  {false, code, #name, Reason::name, ReasonClass::cls, http, doc},
#include "common/reasons.inc"
#undef CONSENTD_REASON
#undef CONSENTD_REASON_GROUP
};

// Indexed by the enum's value: kOk first, then the catalogue's rows in order.
const std::vector<ReasonInfo>& Table() {
  static const std::vector<ReasonInfo> table = [] {
    std::vector<ReasonInfo> t;
    t.push_back(ReasonInfo{});
    std::string_view group;
    for (const Row& row : kRows) {
      if (row.group) {
        group = row.code;
        continue;
      }
      t.push_back(ReasonInfo{row.reason, std::string(row.code), row.name, row.cls, row.http_status,
                             row.doc, group});
    }
    return t;
  }();
  return table;
}

}  // namespace

const ReasonInfo& InfoOf(Reason reason) {
  const auto& t = Table();
  const auto i = static_cast<std::size_t>(reason);
  return i < t.size() ? t[i] : t[0];
}

std::span<const ReasonInfo> AllReasons() { return std::span(Table()).subspan(1); }

std::optional<Reason> ParseReason(std::string_view code) {
  for (const ReasonInfo& info : AllReasons()) {
    if (info.code == code) return info.reason;
  }
  return std::nullopt;
}

std::string_view ToString(ReasonClass cls) {
  switch (cls) {
    case ReasonClass::kInvalidInput:
      return "invalid input";
    case ReasonClass::kRejected:
      return "rejected";
    case ReasonClass::kDenied:
      return "denied";
    case ReasonClass::kUnavailable:
      return "unavailable";
    case ReasonClass::kInternal:
      return "internal";
  }
  return "internal";
}

}  // namespace consentd
