// consentctl transfer: the transfer lifecycle's queries and the customer-notice proofs
// (docs/CLI.md "consentctl transfer"; docs/RECEIPTS.md "Transfer notices"). The lifecycle's
// transactions themselves are built by `consentctl tx transfer.*`.

#include <cstdio>
#include <sstream>

#include "cli/client.h"
#include "cli/commands.h"
#include "common/file_util.h"
#include "common/hex.h"
#include "wallet/transfer_notice.h"
#include "wallet/tx_builder.h"

namespace consentd::cli {
namespace {

constexpr const char* kHelp =
    R"(consentctl transfer list [--status all|open|completed|cancelled|overdue] [--at TIME]
consentctl transfer dossier TRANSFER_ID [--format json|csv] [--at TIME] [--out FILE]
consentctl transfer notice-batch --transfer TRANSFER_ID --deliveries FILE --proofs FILE
consentctl transfer verify-notice PROOF_FILE [--offline] [--node URL ...]

list and dossier read GET /v1/transfers and GET /v1/transfers/{id} (an auditor's, a
regulator's or a party's token). `overdue` lists completed transfers whose seller's deletion
attestation, retention end or backup purge is past due.

notice-batch (the seller's or the acquirer's tool, offline) reads FILE, one delivery record
a line: {"subject": "key:<hex>", "delivered_at": <Unix ms>}; draws each a random nonce; writes
each customer's inclusion proof, one a line, to --proofs; and prints the batch's
deliveries_root, deliveries and delivered_until for `consentctl tx transfer.notify`.

verify-notice (the customer's tool) checks a proof (notice_proof_malformed,
notice_proof_mismatch) and that the ledger holds its root (GET /v1/transfers/{id}/notices,
signed with --sign-key or a token: notice_proof_not_on_ledger); --offline checks the proof
alone. Exit 0 valid, 1 invalid.
)";

constexpr std::size_t kMaxDeliveriesFile = std::size_t{2} << 30;  // 2 GiB of delivery lines
constexpr std::size_t kMaxProofFile = 64 << 10;

int List(const Args& a) {
  if (auto e = CheckArgs(a, WithNodeOptions({"--status", "--at"}), 0, 0,
                         "consentctl transfer list [--status S] [--at TIME]")) {
    return *e;
  }
  auto at = TimeOption(a, "--at");
  if (!at.ok()) return FailStatus(at.status());
  std::string query = "?status=" + UrlEncode(a.Get("--status", "all"));
  if (*at) query += "&at=" + std::to_string(**at);
  auto client = NodeClient(a);
  if (!client.ok()) return FailStatus(client.status());
  Json items = Json::array();
  for (std::string cursor;;) {
    auto page = GetJson(
        *client, "/v1/transfers" + query + (cursor.empty() ? "" : "&cursor=" + UrlEncode(cursor)));
    if (!page.ok()) return FailStatus(page.status());
    for (Json& t : (*page)["items"]) items.push_back(std::move(t));
    if (!page->contains("next_cursor")) break;
    cursor = page->at("next_cursor").get<std::string>();
  }
  PrintJson(Json{{"items", std::move(items)}});
  return kExitOk;
}

int Dossier(const Args& a) {
  if (auto e = CheckArgs(a, WithNodeOptions({"--format", "--at", "--out"}), 1, 1,
                         "consentctl transfer dossier TRANSFER_ID [--format json|csv]")) {
    return *e;
  }
  auto id = HexDecodeFixed<32>(a.positional[0]);
  if (!id.ok()) return Fail(kExitUsage, "TRANSFER_ID must be 64 lowercase hex digits");
  const std::string format = a.Get("--format", "json");
  if (format != "json" && format != "csv") return Fail(kExitUsage, "--format must be json or csv");
  auto at = TimeOption(a, "--at");
  if (!at.ok()) return FailStatus(at.status());
  std::string path = "/v1/transfers/" + a.positional[0] + "?format=" + format;
  if (*at) path += "&at=" + std::to_string(**at);
  auto client = NodeClient(a);
  if (!client.ok()) return FailStatus(client.status());
  auto r = client->Get(path);
  if (!r.ok()) return FailStatus(r.status());
  if (r->status != 200) return FailStatus(NodeError(*r));
  return WriteOutput(a, format == "csv" ? r->raw : CanonicalJson(r->body) + "\n");
}

int NoticeBatch(const Args& a) {
  if (auto e = CheckArgs(a, {"--transfer", "--deliveries", "--proofs"}, 0, 0,
                         "consentctl transfer notice-batch --transfer ID --deliveries FILE "
                         "--proofs FILE")) {
    return *e;
  }
  if (!a.Has("--transfer") || !a.Has("--deliveries") || !a.Has("--proofs")) {
    return Fail(kExitUsage, "--transfer, --deliveries and --proofs are required");
  }
  auto transfer = HexDecodeFixed<32>(a.Get("--transfer"));
  if (!transfer.ok()) return Fail(kExitUsage, "--transfer must be 64 lowercase hex digits");
  auto text = ReadFile(a.Get("--deliveries"), kMaxDeliveriesFile);
  if (!text.ok()) return Fail(kExitUsage, text.status().message());
  std::vector<wallet::NoticeDelivery> deliveries;
  std::istringstream lines(*text);
  std::size_t number = 0;
  for (std::string line; std::getline(lines, line);) {
    ++number;
    if (line.empty()) continue;
    auto j = ParseJson(line, JsonLimits{4096, 4});
    auto d = j.ok() ? wallet::ParseDeliveryLine(*transfer, *j)
                    : Result<wallet::NoticeDelivery>(
                          Status::Error(Reason::kNoticeBatchInvalid, j.status().message()));
    if (!d.ok()) return FailStatus(d.status().WithContext("line " + std::to_string(number)));
    deliveries.push_back(std::move(*d));
  }
  auto batch = wallet::BuildNoticeBatch(deliveries);
  if (!batch.ok()) return FailStatus(batch.status());
  std::string out;
  for (const Json& p : batch->proofs) out += CanonicalJson(p) + "\n";
  if (Status st = WriteFileAtomic(a.Get("--proofs"), out); !st.ok()) return FailStatus(st);
  PrintJson(Json{{"transfer_id", a.Get("--transfer")},
                 {"deliveries_root", HexEncode(batch->root)},
                 {"deliveries", batch->proofs.size()},
                 {"delivered_until", batch->delivered_until}});
  return kExitOk;
}

int VerifyNotice(const Args& a) {
  if (auto e = CheckArgs(a, WithNodeOptions({"--offline"}), 1, 1,
                         "consentctl transfer verify-notice PROOF_FILE [--offline]")) {
    return *e;
  }
  auto text = ReadFile(a.positional[0], kMaxProofFile);
  if (!text.ok()) return Fail(kExitUsage, text.status().message());
  auto json = ParseJson(*text, JsonLimits{kMaxProofFile, 8});
  auto v = json.ok() ? wallet::VerifyNoticeProof(*json)
                     : Result<wallet::VerifiedNotice>(
                           Status::Error(Reason::kNoticeProofMalformed, json.status().message()));
  Status st = v.ok() ? Status::Ok() : v.status();
  bool on_ledger = false;
  if (st.ok() && !a.Has("--offline")) {
    auto client = NodeClient(a);
    if (!client.ok()) return FailStatus(client.status());
    auto notices =
        GetJson(*client, "/v1/transfers/" + HexEncode(v->delivery.transfer_id) + "/notices");
    if (!notices.ok()) return FailStatus(notices.status());
    st = wallet::NoticeRootOnLedger(*v, *notices);
    on_ledger = st.ok();
  }
  if (a.Json()) {
    Json j{{"valid", st.ok()}, {"file", a.positional[0]}, {"checked_on_ledger", on_ledger}};
    if (v.ok()) {
      j["transfer_id"] = HexEncode(v->delivery.transfer_id);
      j["subject"] = v->delivery.subject.ToString();
      j["delivered_at"] = v->delivery.delivered_at;
      j["deliveries_root"] = HexEncode(v->root);
      j["index"] = v->index;
      j["tree_size"] = v->tree_size;
    }
    if (!st.ok()) {
      j["code"] = st.code();
      j["message"] = st.message();
    }
    PrintJson(j);
    return st.ok() ? kExitOk : kExitInvalid;
  }
  if (!st.ok()) {
    std::printf("INVALID notice proof %s\n  reason        %s\n  detail        %s\n",
                a.positional[0].c_str(), st.code().c_str(), st.message().c_str());
    return kExitInvalid;
  }
  std::printf(
      "VALID notice proof %s\n  transfer      %s\n  subject       %s\n  delivered at  %s\n"
      "  batch root    %s (leaf %llu of %llu)\n  on ledger     %s\n",
      a.positional[0].c_str(), HexEncode(v->delivery.transfer_id).c_str(),
      v->delivery.subject.ToString().c_str(), FormatTime(v->delivery.delivered_at).c_str(),
      HexEncode(v->root).c_str(), static_cast<unsigned long long>(v->index + 1),
      static_cast<unsigned long long>(v->tree_size),
      on_ledger ? "yes (GET /v1/transfers/{id}/notices)" : "not checked (--offline)");
  return kExitOk;
}

}  // namespace

int TransferCommand(const Args& a) {
  return RunSubcommand(a, "transfer", kHelp,
                       {{"list", List},
                        {"dossier", Dossier},
                        {"notice-batch", NoticeBatch},
                        {"verify-notice", VerifyNotice}});
}

}  // namespace consentd::cli
