// Routes that answer questions about consent: consents, a subject's consents and history, the
// sharing check, agreements, sharing events, rights requests, incidents, members.
//
// Scope: an insurer's token sees the records it is a party to (controller, original controller
// or recipient of a consent; sender or recipient of a sharing event; exporter or importer of an
// agreement; controller of a rights request or incident). Lists are filtered to those records
// (a page may then come back short, with a cursor to continue); asking by name for another
// member's records is 403. A customer (a signed request) sees the records about their own
// subject, and asking about another subject is 403. Auditors and regulators see everything.

#include <map>

#include "common/hex.h"
#include "ledger/subject.h"
#include "node/http/api.h"
#include "node/http/scope.h"
#include "node/node.h"

namespace consentd::node::http {
namespace {

void KeepVisible(const Principal& who, Result<ledger::Page>& page,
                 const std::function<bool(const Json&)>& visible = nullptr) {
  if (!page.ok() || who.sees_all()) return;
  auto& items = page->items;
  std::erase_if(
      items, [&](const Json& item) { return visible ? !visible(item) : !MaySeeRecord(who, item); });
}

// A customer asks only about their own subject.
Status MayAskAbout(const Principal& who, const ledger::Subject& subject) {
  if (!who.customer() || who.is_subject(subject)) return Status::Ok();
  return Status::Error(Reason::kForbidden,
                       "a customer asks only about their own subject (" + who.name + ")");
}

Result<ledger::Subject> SubjectArg(const std::string& text) {
  auto s = ledger::Subject::FromString(text);
  if (!s.ok()) {
    return Status::Error(Reason::kBadParameter,
                         "subject must be \"key:<64 hex>\" or \"ref:<64 hex>\"");
  }
  return *s;
}

void GetConsent(Api& api, Context& c) {
  if (auto st = c.params.Only({"at"}); !st.ok()) return c.Fail(st);
  auto id = ParseId("consent_id", c.args[0]);
  if (!id.ok()) return c.Fail(id.status());
  auto at = c.params.Time("at");
  if (!at.ok()) return c.Fail(at.status());
  auto consent = api.Snapshot().Consent(*id, *at);
  if (!consent.ok()) return c.Fail(consent.status());
  if (!consent->has_value()) return c.Fail(Reason::kNotFound, "no consent " + HexEncode(*id));
  if (!MaySeeRecord(c.who, **consent)) {
    return c.Fail(Reason::kForbidden, OutOfScope(c.who, "this consent"));
  }
  c.Reply(200, **consent);
}

void SubjectConsents(Api& api, Context& c) {
  if (auto st = c.params.Only({"at", "cursor", "limit"}); !st.ok()) return c.Fail(st);
  auto subject = SubjectArg(c.args[0]);
  if (!subject.ok()) return c.Fail(subject.status());
  if (auto st = MayAskAbout(c.who, *subject); !st.ok()) return c.Fail(st);
  auto at = c.params.Time("at");
  if (!at.ok()) return c.Fail(at.status());
  auto page = c.params.Page();
  if (!page.ok()) return c.Fail(page.status());
  auto result = api.Snapshot().SubjectConsents(*subject, *page, *at);
  KeepVisible(c.who, result);
  c.ReplyPage(result);
}

void SubjectHistory(Api& api, Context& c) {
  if (auto st = c.params.Only({"cursor", "limit"}); !st.ok()) return c.Fail(st);
  auto subject = SubjectArg(c.args[0]);
  if (!subject.ok()) return c.Fail(subject.status());
  if (auto st = MayAskAbout(c.who, *subject); !st.ok()) return c.Fail(st);
  auto page = c.params.Page();
  if (!page.ok()) return c.Fail(page.status());
  ledger::Queries q = api.Snapshot();
  auto result = q.SubjectHistory(*subject, *page);
  if (c.who.customer()) return c.ReplyPage(result);  // their own subject: all of it
  std::map<std::string, bool> consent_visible;
  KeepVisible(c.who, result, [&](const Json& item) {
    auto id = item.find("consent_id");
    if (id == item.end() || !id->is_string()) return Involves(item, c.who.member);
    auto [it, fresh] = consent_visible.emplace(id->get<std::string>(), false);
    if (fresh) {
      auto raw = HexDecodeFixed<32>(it->first);
      auto consent = raw.ok() ? q.Consent(*raw) : Result<std::optional<Json>>(raw.status());
      it->second = consent.ok() && consent->has_value() && Involves(**consent, c.who.member);
    }
    return it->second;
  });
  c.ReplyPage(result);
}

void Check(Api& api, Context& c) {
  if (auto st = c.params.Only(
          {"subject", "recipient", "purpose", "category", "jurisdiction", "sender", "at"});
      !st.ok())
    return c.Fail(st);
  ledger::CheckRequest r;
  const auto subject = c.params.Get("subject");
  const auto recipient = c.params.Get("recipient");
  const auto purpose = c.params.Get("purpose");
  const auto category = c.params.Get("category");
  if (!subject || !recipient || !purpose || !category) {
    return c.Fail(Reason::kBadParameter, "subject, recipient, purpose and category are required");
  }
  auto s = SubjectArg(*subject);
  if (!s.ok()) return c.Fail(s.status());
  r.subject = *s;
  r.recipient = *recipient;
  r.purpose = *purpose;
  // category=a,b asks about several categories at once.
  std::string cats = *category;
  for (std::size_t start = 0; start <= cats.size();) {
    const std::size_t comma = std::min(cats.find(',', start), cats.size());
    if (comma == start) return c.Fail(Reason::kBadParameter, "category has an empty entry");
    r.categories.push_back(cats.substr(start, comma - start));
    start = comma + 1;
  }
  if (r.categories.size() > 64) return c.Fail(Reason::kBadParameter, "at most 64 categories");
  if (auto j = c.params.Get("jurisdiction")) r.jurisdiction = *j;
  if (auto s2 = c.params.Get("sender")) r.sender = *s2;
  // A customer asks about their own subject; an insurer only about sharing that its member
  // sends or receives: the answer names the subject's consents.
  if (auto st = MayAskAbout(c.who, r.subject); !st.ok()) return c.Fail(st);
  if (c.who.role == Role::kInsurer && r.recipient != c.who.member && r.sender != c.who.member) {
    return c.Fail(Reason::kForbidden,
                  "an insurer token asks only about sharing its member sends "
                  "(sender=" +
                      c.who.member + ") or receives (recipient=" + c.who.member + ")");
  }
  auto at = c.params.Time("at");
  if (!at.ok()) return c.Fail(at.status());
  r.at = at->value_or(0);
  auto answer = api.Snapshot().Check(std::move(r));
  if (!answer.ok()) return c.Fail(answer.status());
  c.Reply(200, *answer);
}

void GetAgreement(Api& api, Context& c) {
  if (auto st = c.params.Only({"at"}); !st.ok()) return c.Fail(st);
  auto id = ParseId("agreement id", c.args[0]);
  if (!id.ok()) return c.Fail(id.status());
  auto at = c.params.Time("at");
  if (!at.ok()) return c.Fail(at.status());
  auto a = api.Snapshot().Agreement(*id, *at);
  if (!a.ok()) return c.Fail(a.status());
  if (!a->has_value()) return c.Fail(Reason::kNotFound, "no agreement " + HexEncode(*id));
  if (!c.who.sees_all() && !Involves(**a, c.who.member)) {
    return c.Fail(Reason::kForbidden, "this token's member is not a party to the agreement");
  }
  c.Reply(200, **a);
}

void ListAgreements(Api& api, Context& c) {
  if (auto st = c.params.Only({"party", "status", "cursor", "limit"}); !st.ok()) return c.Fail(st);
  auto party = c.params.Get("party");
  auto status = c.params.Get("status");
  if (status && *status != "Pending" && *status != "Active" && *status != "Suspended" &&
      *status != "Terminated") {
    return c.Fail(Reason::kBadParameter, "status must be Pending, Active, Suspended or Terminated");
  }
  if (!c.who.sees_all()) {
    if (party && *party != c.who.member) {
      return c.Fail(Reason::kForbidden, "an insurer token lists only its own member's agreements");
    }
    party = c.who.member;
  }
  auto page = c.params.Page();
  if (!page.ok()) return c.Fail(page.status());
  c.ReplyPage(api.Snapshot().Agreements(party, status, *page));
}

void ListSharing(Api& api, Context& c) {
  if (auto st =
          c.params.Only({"subject", "controller", "agreement", "from", "to", "cursor", "limit"});
      !st.ok())
    return c.Fail(st);
  ledger::SharingFilter f;
  int given = 0;
  if (auto s = c.params.Get("subject")) {
    auto subject = SubjectArg(*s);
    if (!subject.ok()) return c.Fail(subject.status());
    if (auto st = MayAskAbout(c.who, *subject); !st.ok()) return c.Fail(st);
    f.by = ledger::SharingBy::kSubject;
    f.key = subject->ToString();
    ++given;
  }
  if (auto s = c.params.Get("controller")) {
    f.by = ledger::SharingBy::kSender;
    f.key = *s;
    ++given;
    if (!c.who.may_see(*s)) {
      return c.Fail(Reason::kForbidden, "an insurer token lists only its own member's sharing");
    }
  }
  if (auto s = c.params.Get("agreement")) {
    auto id = ParseId("agreement", *s);
    if (!id.ok()) return c.Fail(id.status());
    f.by = ledger::SharingBy::kAgreement;
    f.key = HexEncode(*id);
    ++given;
  }
  if (given != 1) {
    return c.Fail(Reason::kBadParameter, "give exactly one of subject, controller or agreement");
  }
  if (c.who.customer() && f.by != ledger::SharingBy::kSubject) {
    return c.Fail(Reason::kForbidden, "a customer lists sharing by their own subject only");
  }
  auto from = c.params.Time("from");
  auto to = c.params.Time("to");
  if (!from.ok()) return c.Fail(from.status());
  if (!to.ok()) return c.Fail(to.status());
  if (*from) f.from = **from;
  if (*to) f.to = **to;
  if (f.from > f.to) return c.Fail(Reason::kBadParameter, "from is after to");
  auto page = c.params.Page();
  if (!page.ok()) return c.Fail(page.status());
  auto result = api.Snapshot().Sharing(f, *page);
  if (!c.who.customer()) KeepVisible(c.who, result);  // a customer's: their subject's, all
  c.ReplyPage(result);
}

void ListRights(Api& api, Context& c) {
  if (auto st = c.params.Only({"status", "at", "cursor", "limit"}); !st.ok()) return c.Fail(st);
  const std::string status = c.params.Get("status").value_or("open");
  if (status != "open" && status != "overdue") {
    return c.Fail(Reason::kBadParameter, "status must be open or overdue");
  }
  auto at = c.params.Time("at");
  if (!at.ok()) return c.Fail(at.status());
  auto page = c.params.Page();
  if (!page.ok()) return c.Fail(page.status());
  auto result = api.Snapshot().Rights(status, *page, *at);
  KeepVisible(c.who, result);
  c.ReplyPage(result);
}

void ListIncidents(Api& api, Context& c) {
  if (auto st = c.params.Only({"cursor", "limit"}); !st.ok()) return c.Fail(st);
  auto page = c.params.Page();
  if (!page.ok()) return c.Fail(page.status());
  auto result = api.Snapshot().Incidents(*page);
  KeepVisible(c.who, result);
  c.ReplyPage(result);
}

void ListMembers(Api& api, Context& c) {
  if (auto st = c.params.Only({"cursor", "limit"}); !st.ok()) return c.Fail(st);
  auto page = c.params.Page();
  if (!page.ok()) return c.Fail(page.status());
  c.ReplyPage(api.Snapshot().Members(*page));
}

}  // namespace

std::vector<Route> QueryRoutes(Api& api) {
  Api* a = &api;
  return {
      {"GET", "/v1/consents/{consent_id}", Access::kSigned, [a](Context& c) { GetConsent(*a, c); }},
      {"GET", "/v1/subjects/{subject}/consents", Access::kSigned,
       [a](Context& c) { SubjectConsents(*a, c); }},
      {"GET", "/v1/subjects/{subject}/history", Access::kSigned,
       [a](Context& c) { SubjectHistory(*a, c); }},
      {"GET", "/v1/check", Access::kSigned, [a](Context& c) { Check(*a, c); }, /*blocking=*/false,
       /*cacheable=*/true},
      {"GET", "/v1/agreements/{agreement_id}", Access::kToken,
       [a](Context& c) { GetAgreement(*a, c); }},
      {"GET", "/v1/agreements", Access::kToken, [a](Context& c) { ListAgreements(*a, c); }},
      {"GET", "/v1/sharing", Access::kSigned, [a](Context& c) { ListSharing(*a, c); }},
      {"GET", "/v1/rights", Access::kSigned, [a](Context& c) { ListRights(*a, c); }},
      {"GET", "/v1/incidents", Access::kToken, [a](Context& c) { ListIncidents(*a, c); }},
      {"GET", "/v1/members", Access::kSigned, [a](Context& c) { ListMembers(*a, c); }},
  };
}

}  // namespace consentd::node::http
