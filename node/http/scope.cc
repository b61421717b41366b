#include "node/http/scope.h"

#include <algorithm>

namespace consentd::node::http {
namespace {

bool Names(const Json& j, const char* field, std::string_view member) {
  auto it = j.find(field);
  if (it == j.end()) return false;
  if (it->is_string()) return *it == member;
  if (it->is_array()) {
    for (const Json& x : *it) {
      if (x.is_string() && x == member) return true;
    }
  }
  return false;
}

}  // namespace

bool MaySee(const Principal& who, const ledger::TxParties& parties) {
  if (who.sees_all()) return true;
  if (!who.authenticated()) return false;
  if (who.customer()) {
    return std::find(parties.subjects.begin(), parties.subjects.end(), *who.subject) !=
           parties.subjects.end();
  }
  if (parties.network) return true;
  return std::find(parties.members.begin(), parties.members.end(), who.member) !=
         parties.members.end();
}

bool Involves(const Json& record, std::string_view member) {
  for (const char* f : {"controller", "original_controller", "recipients", "sender", "recipient",
                        "exporter", "importer", "transferor", "transferee"}) {
    if (Names(record, f, member)) return true;
  }
  if (auto h = record.find("history"); h != record.end() && h->is_array()) {
    for (const Json& e : *h) {
      if (Names(e, "from", member) || Names(e, "to", member)) return true;
    }
  }
  return false;
}

bool Concerns(const Json& record, const ledger::Subject& subject) {
  if (auto it = record.find("subject"); it != record.end() && *it == subject.ToJson()) return true;
  auto id = record.find("subject_id");
  return id != record.end() && id->is_string() && *id == subject.ToString();
}

bool MaySeeRecord(const Principal& who, const Json& record) {
  if (who.sees_all()) return true;
  if (who.customer()) return Concerns(record, *who.subject);
  return who.authenticated() && Involves(record, who.member);
}

std::string OutOfScope(const Principal& who, std::string_view what) {
  if (who.customer()) return std::string(what) + " is not about subject " + who.name;
  return std::string(what) + " does not involve member " + who.member;
}

}  // namespace consentd::node::http
