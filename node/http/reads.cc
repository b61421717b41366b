#include "node/http/reads.h"

#include <array>
#include <utility>

#include "node/log.h"

namespace consentd::node::http {
namespace {

constexpr std::size_t kIdHex = 64;

bool IsLowerHex(char ch) { return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'); }

// The 64 lower-case hex digits at `at`, not followed by another hex digit.
bool IdAt(std::string_view text, std::size_t at) {
  if (text.size() < at + kIdHex) return false;
  for (std::size_t i = at; i < at + kIdHex; ++i) {
    if (!IsLowerHex(text[i])) return false;
  }
  return text.size() == at + kIdHex || !IsLowerHex(text[at + kIdHex]);
}

// Every `pattern` in `text` followed by an id adds "<kind>:<id>".
void Scan(std::string_view text, std::string_view pattern, std::string_view kind,
          std::set<std::string>* out) {
  for (std::size_t at = text.find(pattern); at != std::string_view::npos;
       at = text.find(pattern, at + 1)) {
    const std::size_t id = at + pattern.size();
    if (IdAt(text, id)) out->insert(std::string(kind) + ":" + std::string(text.substr(id, kIdHex)));
  }
}

// The answer spellings of docs/API.md "Access log": canonical JSON, then the CSV export's.
constexpr std::array<std::pair<std::string_view, std::string_view>, 8> kAnswerPatterns = {{
    {R"("subject":{"key":")", "key"},
    {R"("subject":{"ref":")", "ref"},
    {R"("subject_id":"key:)", "key"},
    {R"("subject_id":"ref:)", "ref"},
    {R"(""subject"":{""key"":"")", "key"},
    {R"(""subject"":{""ref"":"")", "ref"},
    {R"(""subject_id"":""key:)", "key"},
    {R"(""subject_id"":""ref:)", "ref"},
}};

}  // namespace

void SubjectsInAnswer(std::string_view text, std::set<std::string>* out) {
  // Every spelling contains "subject": skip the scans at once for answers without one.
  if (text.find("subject") == std::string_view::npos) return;
  for (const auto& [pattern, kind] : kAnswerPatterns) Scan(text, pattern, kind, out);
}

void SubjectsInRequest(const Request& req, std::set<std::string>* out) {
  auto scan = [out](std::string_view text) {
    Scan(text, "key:", "key", out);
    Scan(text, "ref:", "ref", out);
  };
  scan(req.path);
  for (const auto& [name, value] : req.query) scan(value);
}

ReadRecorder::ReadRecorder(AccessLog* log, const Principal& who, const Request& req,
                           std::string route, bool all_subjects)
    : log_(log) {
  read_.principal = who.name;
  read_.role = ToString(who.role);
  read_.member = who.member;
  read_.method = req.method;
  read_.route = std::move(route);
  read_.target = req.target;
  read_.all_subjects = all_subjects;
  whole_store_ = all_subjects;
  SubjectsInRequest(req, &first_subjects_);
}

Status ReadRecorder::Record(std::string_view text) {
  if (!first_ && whole_store_) return Status::Ok();  // its one entry says every subject
  first_ = false;
  std::set<std::string> subjects = std::move(first_subjects_);
  first_subjects_.clear();
  if (whole_store_) {
    subjects.clear();
  } else {
    SubjectsInAnswer(text, &subjects);
    if (subjects.empty()) return Status::Ok();
  }
  if (log_ == nullptr) {
    return Status::Error(Reason::kAccessLogUnavailable, "this node keeps no access log");
  }
  auto it = subjects.begin();
  do {
    read_.subjects.clear();
    while (it != subjects.end() && read_.subjects.size() < kMaxSubjectsPerAccessEntry) {
      read_.subjects.push_back(*it++);
    }
    auto seq = log_->Append(read_);
    if (!seq.ok()) {
      LogError("http", "access_log_append_failed",
               {{"route", read_.route}, {"error", seq.status().ToString()}});
      return Status::Error(Reason::kAccessLogUnavailable,
                           "the read could not be written to the access log; try again later");
    }
  } while (it != subjects.end());
  return Status::Ok();
}

}  // namespace consentd::node::http
