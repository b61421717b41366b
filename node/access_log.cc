#include "node/access_log.h"

#include <algorithm>
#include <cstdio>

#include "common/hex.h"
#include "node/log.h"
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
    : store_(std::move(store)), now_ms_(std::move(now_ms)), head_(head), stored_seq_(head.seq) {}

AccessLog::~AccessLog() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (writer_ != nullptr) writer_->Join();
}

Result<std::unique_ptr<AccessLog>> AccessLog::Open(std::unique_ptr<ledger::Store> store,
                                                   NowMs now_ms, Env* env) {
  AccessHead head{0, kZeroHash};
  CONSENTD_ASSIGN_OR_RETURN(auto stored, store->Get("h"));
  if (stored) {
    auto j = ParseJson(*stored);
    if (!j.ok() || !j->is_object() || !wallet::AccessSeq(*j) || !j->contains("hash") ||
        !(*j)["hash"].is_string()) {
      return Status::Error(Reason::kAccessLogBroken,
                           "the access log's head record is not readable");
    }
    head.seq = *wallet::AccessSeq(*j);
    head.hash = (*j)["hash"].get<std::string>();
    CONSENTD_ASSIGN_OR_RETURN(auto last, store->Get(EntryKey(head.seq)));
    auto entry = last ? ParseJson(*last)
                      : Result<Json>(Status::Error(Reason::kAccessLogBroken, "no last entry"));
    if (!entry.ok() || !entry->is_object() || wallet::AccessEntryHash(*entry) != head.hash ||
        entry->value("hash", "") != head.hash) {
      return Status::Error(
          Reason::kAccessLogBroken,
          "the access log's last entry (" + std::to_string(head.seq) + ") does not match its head");
    }
  }
  std::unique_ptr<AccessLog> log(new AccessLog(std::move(store), std::move(now_ms), head));
  AccessLog* self = log.get();
  CONSENTD_ASSIGN_OR_RETURN(log->writer_,
                            env->StartThread("consentd-access", [self] { self->WriteLoop(); }));
  return log;
}

Result<std::uint64_t> AccessLog::Append(const AccessRead& read) {
  // The entry's canonical JSON (keys in JCS order) around the fields only the lock knows:
  //   {["all_subjects":true,]"at":..,["hash":..,]"method":..,"prev":<prev>,"principal":{..},
  //    "route":..,"seq":<seq>,"status":..,"subjects":[..],"target":..}
  std::string front = "{";
  if (read.all_subjects) front += "\"all_subjects\":true,";
  front += "\"at\":";
  AppendCanonicalInteger(now_ms_(), &front);
  std::string method = ",\"method\":";
  AppendCanonicalString(read.method, &method);
  method += ",\"prev\":\"";
  std::string middle = "\",\"principal\":{";
  if (!read.member.empty()) {
    middle += "\"member\":";
    AppendCanonicalString(read.member, &middle);
    middle += ',';
  }
  middle += "\"name\":";
  AppendCanonicalString(read.principal, &middle);
  middle += ",\"role\":";
  AppendCanonicalString(read.role, &middle);
  middle += "},\"route\":";
  AppendCanonicalString(read.route, &middle);
  middle += ",\"seq\":";
  std::string back = ",\"status\":";
  AppendCanonicalInteger(static_cast<std::int64_t>(read.status), &back);
  back += ",\"subjects\":[";
  for (std::size_t i = 0; i < read.subjects.size(); ++i) {
    if (i > 0) back += ',';
    AppendCanonicalString(read.subjects[i], &back);
  }
  back += "],\"target\":";
  AppendCanonicalString(read.target, &back);
  back += '}';

  std::lock_guard<std::mutex> lock(mu_);
  if (!failed_.ok()) return failed_;
  if (pending_.size() >= kMaxPending) {
    return Status::Error(Reason::kStoreIo, "the access log's writer is behind");
  }
  const std::uint64_t seq = head_.seq + 1;
  const std::string seq_text = std::to_string(seq);
  const std::string rest = method + head_.hash + middle + seq_text + back;
  const std::string hash = wallet::AccessEntryHashOfText(front + rest);
  Pending p;
  p.seq = seq;
  p.hash = hash;
  p.text = front + ",\"hash\":\"" + hash + "\"" + rest;
  p.subjects = read.subjects;
  p.all_subjects = read.all_subjects;
  p.member = read.member;
  p.principal = read.principal;
  pending_.push_back(std::move(p));
  head_ = AccessHead{seq, hash};
  if (pending_.size() == 1) wake_.notify_one();
  return seq;
}

void AccessLog::WriteLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    // Pending entries are written at once; after a failed write, again after kRetryInterval
    // (or when Flush asks).
    wake_.wait_for(lock, kRetryInterval, [this] {
      return stopping_ || retry_now_ || (!pending_.empty() && failed_.ok());
    });
    retry_now_ = false;
    if (pending_.empty()) {
      if (stopping_) return;
      continue;
    }
    std::vector<Pending> batch_entries;
    batch_entries.swap(pending_);
    lock.unlock();
    ledger::WriteBatch batch;
    for (const Pending& p : batch_entries) {
      const std::string at = Seq16(p.seq);
      batch.emplace(EntryKey(p.seq), p.text);
      if (p.all_subjects) batch.emplace(SubjectPrefix(kAllSubjects) + at, "");
      for (const std::string& s : p.subjects) batch.emplace(SubjectPrefix(s) + at, "");
      if (!p.member.empty()) batch.emplace(MemberPrefix(p.member) + at, "");
      batch.emplace(PrincipalPrefix(p.principal) + at, "");
    }
    const Pending& last = batch_entries.back();
    batch.emplace("h", "{\"hash\":\"" + last.hash + "\",\"seq\":" + std::to_string(last.seq) + "}");
    const Status st = store_->Write(batch, /*sync=*/false);
    lock.lock();
    ++attempts_;
    if (st.ok()) {
      stored_seq_ = last.seq;
      failed_ = Status::Ok();
    } else {
      // Nothing is dropped: the entries go back in front and are written again; until then
      // Append refuses, so no answer goes out unlogged.
      if (failed_.ok()) {
        LogError("http", "access_log_write_failed", {{"error", st.ToString()}});
      }
      failed_ = st;
      batch_entries.insert(batch_entries.end(), std::make_move_iterator(pending_.begin()),
                           std::make_move_iterator(pending_.end()));
      pending_.swap(batch_entries);
      if (stopping_) return;
    }
    stored_.notify_all();
  }
}

Status AccessLog::Flush() const {
  std::unique_lock<std::mutex> lock(mu_);
  const std::uint64_t target = head_.seq;
  if (stored_seq_ >= target) return Status::Ok();
  const std::uint64_t start = attempts_;
  retry_now_ = true;
  wake_.notify_one();
  stored_.wait(lock, [&] {
    return stored_seq_ >= target || (attempts_ > start && !failed_.ok()) || stopping_;
  });
  if (stored_seq_ >= target) return Status::Ok();
  return failed_.ok() ? Status::Error(Reason::kShuttingDown, "the access log is closing") : failed_;
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
    if (!ok) return Status::Error(Reason::kQueryBadCursor, "the cursor is not one this log gave");
    from = v;
  }
  CONSENTD_RETURN_IF_ERROR(Flush());  // what was appended before the question is in the store
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
      return Status::Error(Reason::kStoreCorruption,
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
