#include "node/access_log.h"

#include <algorithm>
#include <cstdio>

#include "common/hex.h"
#include "wallet/access_log_verify.h"

namespace consentd::node {
namespace {

const std::string kZeroHash(64, '0');
constexpr std::string_view kAllSubjects = "*";

std::string Seq16(std::uint64_t seq) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(seq));
  return buf;
}

std::optional<std::uint64_t> SeqOfKey(std::string_view key) {
  if (key.size() < 16) return std::nullopt;
  std::uint64_t seq = 0;
  for (char ch : key.substr(key.size() - 16)) {
    int v;
    if (ch >= '0' && ch <= '9') {
      v = ch - '0';
    } else if (ch >= 'a' && ch <= 'f') {
      v = ch - 'a' + 10;
    } else {
      return std::nullopt;
    }
    seq = seq * 16 + static_cast<std::uint64_t>(v);
  }
  return seq;
}

std::string EntryKey(std::uint64_t seq) { return "e" + Seq16(seq); }
std::string SubjectPrefix(std::string_view subject) { return "s" + std::string(subject) + "/"; }
std::string MemberPrefix(std::string_view member) { return "m" + std::string(member) + "/"; }
std::string PrincipalPrefix(std::string_view name) { return "p" + std::string(name) + "/"; }

bool Lists(const Json& entry, std::string_view subject) {
  if (entry.value("all_subjects", false)) return true;
  const auto it = entry.find("subjects");
  if (it == entry.end() || !it->is_array()) return false;
  return std::any_of(it->begin(), it->end(), [&](const Json& s) {
    return s.is_string() && s.get<std::string>() == subject;
  });
}

bool Matches(const Json& entry, const AccessFilter& f) {
  const Json who = entry.value("principal", Json::object());
  if (f.subject && !Lists(entry, *f.subject)) return false;
  if (f.member && who.value("member", "") != *f.member) return false;
  if (f.principal && who.value("name", "") != *f.principal) return false;
  return true;
}

}  // namespace

AccessLog::AccessLog(std::unique_ptr<ledger::Store> store, NowMs now_ms, AccessHead head)
    : store_(std::move(store)), now_ms_(std::move(now_ms)), head_(std::move(head)) {}

Result<std::unique_ptr<AccessLog>> AccessLog::Open(std::unique_ptr<ledger::Store> store,
                                                   NowMs now_ms) {
  AccessHead head{0, kZeroHash};
  CONSENTD_ASSIGN_OR_RETURN(auto stored, store->Get("h"));
  if (stored) {
    auto j = ParseJson(*stored);
    if (!j.ok() || !j->is_object() || !wallet::AccessSeq(*j) || !j->contains("hash") ||
        !(*j)["hash"].is_string()) {
      return Status::Error("access_log_broken", "the access log's head record is not readable");
    }
    head.seq = *wallet::AccessSeq(*j);
    head.hash = (*j)["hash"].get<std::string>();
    CONSENTD_ASSIGN_OR_RETURN(auto last, store->Get(EntryKey(head.seq)));
    auto entry = last ? ParseJson(*last) : Result<Json>(Status::Error("missing", ""));
    if (!entry.ok() || !entry->is_object() || wallet::AccessEntryHash(*entry) != head.hash ||
        entry->value("hash", "") != head.hash) {
      return Status::Error(
          "access_log_broken",
          "the access log's last entry (" + std::to_string(head.seq) + ") does not match its head");
    }
  }
  return std::unique_ptr<AccessLog>(new AccessLog(std::move(store), std::move(now_ms), head));
}

Result<std::uint64_t> AccessLog::Append(const AccessRead& read) {
  Json principal{{"name", read.principal}, {"role", read.role}};
  if (!read.member.empty()) principal["member"] = read.member;
  Json entry{{"at", now_ms_()},      {"method", read.method}, {"principal", principal},
             {"route", read.route},  {"status", read.status}, {"subjects", read.subjects},
             {"target", read.target}};
  if (read.all_subjects) entry["all_subjects"] = true;

  std::lock_guard<std::mutex> lock(mu_);
  const std::uint64_t seq = head_.seq + 1;
  entry["seq"] = seq;
  entry["prev"] = head_.hash;
  const std::string hash = wallet::AccessEntryHash(entry);
  entry["hash"] = hash;

  const std::string at = Seq16(seq);
  ledger::WriteBatch batch;
  batch.emplace(EntryKey(seq), CanonicalJson(entry));
  if (read.all_subjects) batch.emplace(SubjectPrefix(kAllSubjects) + at, "");
  for (const std::string& s : read.subjects) batch.emplace(SubjectPrefix(s) + at, "");
  if (!read.member.empty()) batch.emplace(MemberPrefix(read.member) + at, "");
  batch.emplace(PrincipalPrefix(read.principal) + at, "");
  batch.emplace("h", CanonicalJson(Json{{"hash", hash}, {"seq", seq}}));
  CONSENTD_RETURN_IF_ERROR(store_->Write(batch, /*sync=*/false));
  head_ = AccessHead{seq, hash};
  return seq;
}

AccessHead AccessLog::head() const {
  std::lock_guard<std::mutex> lock(mu_);
  return head_;
}

Result<ledger::Page> AccessLog::Query(const AccessFilter& filter,
                                      const ledger::PageRequest& page) const {
  std::uint64_t from = 1;
  if (!page.cursor.empty()) {
    std::uint64_t v = 0;
    bool ok = page.cursor.size() <= 16 && page.cursor[0] != '0';
    for (char ch : page.cursor) {
      ok = ok && ch >= '0' && ch <= '9';
      if (ok) v = v * 10 + static_cast<std::uint64_t>(ch - '0');
    }
    if (!ok) return Status::Error("query_bad_cursor", "the cursor is not one this log gave");
    from = v;
  }
  const std::unique_ptr<ledger::ReadView> view = store_->Snapshot();
  // The index to walk: the narrowest filter's. A subject's reads merge with whole-store reads.
  std::vector<std::string> prefixes;
  if (filter.subject) {
    prefixes = {SubjectPrefix(*filter.subject), SubjectPrefix(kAllSubjects)};
  } else if (filter.principal) {
    prefixes = {PrincipalPrefix(*filter.principal)};
  } else if (filter.member) {
    prefixes = {MemberPrefix(*filter.member)};
  } else {
    prefixes = {"e"};
  }
  struct Source {
    std::unique_ptr<ledger::Cursor> cursor;
    std::optional<std::uint64_t> seq;
  };
  std::vector<Source> sources;
  auto settle = [](Source& s) -> Status {
    s.seq.reset();
    while (s.cursor->Valid()) {
      s.seq = SeqOfKey(s.cursor->key());
      if (s.seq) break;
      s.cursor->Next();  // not an index key of ours
    }
    return s.cursor->status();
  };
  for (const std::string& p : prefixes) {
    Source s{view->Scan(p, p + Seq16(from)), std::nullopt};
    CONSENTD_RETURN_IF_ERROR(settle(s));
    sources.push_back(std::move(s));
  }

  ledger::Page out;
  std::size_t scanned = 0;
  while (out.items.size() < page.limit && scanned < kMaxScan) {
    Source* next = nullptr;
    for (Source& s : sources) {
      if (s.seq && (next == nullptr || *s.seq < *next->seq)) next = &s;
    }
    if (next == nullptr) break;
    const std::uint64_t seq = *next->seq;
    ++scanned;
    CONSENTD_ASSIGN_OR_RETURN(auto text, view->Get(EntryKey(seq)));
    next->cursor->Next();
    CONSENTD_RETURN_IF_ERROR(settle(*next));
    if (!text) continue;
    auto entry = ParseJson(*text);
    if (!entry.ok()) {
      return Status::Error("store_corruption",
                           "access-log entry " + std::to_string(seq) + " is not JSON");
    }
    if (Matches(*entry, filter)) out.items.push_back(std::move(*entry));
  }
  std::optional<std::uint64_t> more;
  for (const Source& s : sources) {
    if (s.seq && (!more || *s.seq < *more)) more = s.seq;
  }
  if (more) out.next_cursor = std::to_string(*more);
  return out;
}

}  // namespace consentd::node
