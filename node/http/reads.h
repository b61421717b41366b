#pragma once

// Which subjects' records an answer showed (docs/API.md, "Access log"), read off what actually
// left the node rather than what a handler meant to send: every successful GET whose target or
// body names a subject is a read of that subject's records. A subject appears in our answers
// only in these spellings (canonical JSON, and the CSV export's doubled quotes):
//
//   "subject":{"key":"<64 hex>"}   "subject":{"ref":"<64 hex>"}   (records and tx bodies)
//   "subject_id":"key:<64 hex>"    "subject_id":"ref:<64 hex>"    (consent views)
//   key:<64 hex> / ref:<64 hex>    in the request's path or query (a subject asked about)
//
// A ReadRecorder writes the access-log entries of one answer before its bytes leave the node:
// a whole body at once, a stream piece by piece (one entry per kMaxSubjectsPerAccessEntry
// subjects of each piece that names any). When the log cannot be written, the answer is not
// sent (503 access_log_unavailable; a stream is cut).

#include <set>
#include <string>
#include <string_view>

#include "node/access_log.h"
#include "node/http/auth.h"
#include "node/http/message.h"

namespace consentd::node::http {

// Adds to `out` the subjects ("key:<hex>", "ref:<hex>") that `text` names in one of the
// answer spellings above.
void SubjectsInAnswer(std::string_view text, std::set<std::string>* out);
// Adds to `out` the subjects the request's path and query values name.
void SubjectsInRequest(const Request& req, std::set<std::string>* out);

class ReadRecorder {
 public:
  ReadRecorder(AccessLog* log, const Principal& who, const Request& req, std::string route,
               bool all_subjects);
  ReadRecorder(const ReadRecorder&) = delete;
  ReadRecorder& operator=(const ReadRecorder&) = delete;

  // Called with what is about to be sent (a whole body, or one piece of a stream); the first
  // call also records the subjects the request named, and for a whole-store read (a backup)
  // writes its entry even when no subject is named. Errors: "access_log_unavailable".
  Status Record(std::string_view text);

 private:
  AccessLog* log_;
  AccessRead read_;
  std::set<std::string> first_subjects_;  // named by the request, recorded with the first piece
  bool first_ = true;
  bool whole_store_ = false;
};

}  // namespace consentd::node::http
