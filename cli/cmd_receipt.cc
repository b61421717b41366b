// consentctl receipt get | verify

#include <cstdio>

#include "cli/commands.h"
#include "common/file_util.h"
#include "common/hex.h"
#include "ledger/genesis.h"
#include "wallet/receipt_verify.h"

namespace consentd::cli {
namespace {

constexpr const char* kHelp = R"(consentctl receipt get TX_ID [--out FILE] [--node URL]
consentctl receipt verify FILE (--genesis FILE | --anchor FILE |
                                --chain-id ID --validator-set-hash HEX [--validator-set-hash HEX]...)
                               [--json]

get     fetches the receipt of a committed tx (GET /v1/receipts/TX_ID) and writes it to FILE
        (or prints it). A receipt proves itself: nothing about it needs the node to be trusted.
verify  checks a receipt offline, with no network at all, against what you trust: the chain's
        genesis file, an anchor file {"chain_id", "validator_set_hash"}, or the chain id and
        validator-set hash given on the command line. It checks the tx's signatures, the Merkle
        path to the block header's tx_root, the header hash, and 2f+1 distinct valid precommit
        signatures of the validator set (docs/RECEIPTS.md).

Exit codes: 0 valid, 1 invalid (the reason code names the failed check), 2 usage, 3 network.
)";

int Get(const Args& a) {
  if (auto e = CheckArgs(a, WithNodeOptions({"--out"}), 1, 1,
                         "consentctl receipt get TX_ID [--out FILE] [--node URL]")) {
    return *e;
  }
  const std::string& id = a.positional[0];
  if (!HexDecodeFixed<32>(id).ok()) {
    return Fail(kExitUsage, "receipt get: TX_ID must be 64 lowercase hex characters");
  }
  auto client = NodeClient(a);
  if (!client.ok()) return FailStatus(client.status());
  auto receipt = GetJson(*client, "/v1/receipts/" + id);
  if (!receipt.ok()) return FailStatus(receipt.status());
  const std::string text = receipt->dump(2) + "\n";
  if (!a.Has("--out")) {
    std::fputs(text.c_str(), stdout);
    return kExitOk;
  }
  Status st = WriteFileAtomic(a.Get("--out"), text);
  if (!st.ok()) return FailStatus(st);
  if (!a.Json()) std::printf("wrote the receipt of %s to %s\n", id.c_str(), a.Get("--out").c_str());
  return kExitOk;
}

Result<wallet::TrustAnchor> Anchor(const Args& a) {
  const int sources =
      (a.Has("--genesis") ? 1 : 0) + (a.Has("--anchor") ? 1 : 0) + (a.Has("--chain-id") ? 1 : 0);
  if (sources != 1) {
    return Status::Error(Reason::kUsage,
                         "receipt verify needs exactly one trust anchor: --genesis FILE, "
                         "--anchor FILE, or --chain-id ID with --validator-set-hash HEX");
  }
  if (a.Has("--chain-id")) {
    Json j{{"chain_id", a.Get("--chain-id")},
           {"validator_set_hashes", a.GetAll("--validator-set-hash")}};
    auto anchor = wallet::TrustAnchor::FromJson(j);
    if (!anchor.ok()) return Status::Error(Reason::kUsage, anchor.status().message());
    return anchor;
  }
  const std::string path = a.Has("--genesis") ? a.Get("--genesis") : a.Get("--anchor");
  auto text = ReadFile(path, 4 << 20);
  if (!text.ok()) return Status::Error(Reason::kUsage, text.status().message());
  auto json = ParseJson(*text, JsonLimits{4 << 20, 16});
  if (!json.ok())
    return Status::Error(Reason::kAnchorInvalid, path + ": " + json.status().ToString());
  auto anchor = wallet::TrustAnchor::FromJson(*json);
  if (!anchor.ok()) return anchor.status().WithContext(path);
  return anchor;
}

int Verify(const Args& a) {
  if (auto e = CheckArgs(a, {"--genesis", "--anchor", "--chain-id", "--validator-set-hash"}, 1, 1,
                         "consentctl receipt verify FILE --genesis FILE")) {
    return *e;
  }
  auto anchor = Anchor(a);
  if (!anchor.ok()) return FailStatus(anchor.status());
  auto text = ReadFile(a.positional[0], 4 << 20);
  if (!text.ok()) return Fail(kExitUsage, text.status().message());
  const wallet::ReceiptVerdict v = wallet::VerifyReceiptText(*text, *anchor);
  if (a.Json()) {
    Json j{{"valid", v.ok()}, {"file", a.positional[0]}};
    if (v.ok()) {
      const auto& r = v.receipt;
      j["chain_id"] = r.chain_id;
      j["tx_id"] = HexEncode(r.tx_id);
      j["type"] = r.tx_type;
      j["signers"] = r.signers;
      j["height"] = r.height;
      j["block_time_ms"] = r.block_time_ms;
      j["block_hash"] = HexEncode(r.block_hash);
      j["precommits"] = r.precommits;
      j["validators"] = r.validators;
      j["validator_set_hash"] = HexEncode(r.validator_set_hash);
    } else {
      j["check"] = wallet::ToString(v.check);
      j["code"] = v.status.code();
      j["message"] = v.status.message();
    }
    PrintJson(j);
    return v.ok() ? kExitOk : kExitInvalid;
  }
  if (!v.ok()) {
    std::printf("INVALID receipt %s\n  failed check  %s\n  reason        %s\n  detail        %s\n",
                a.positional[0].c_str(), wallet::ToString(v.check), v.status.code().c_str(),
                v.status.message().c_str());
    return kExitInvalid;
  }
  const auto& r = v.receipt;
  std::printf(
      "VALID receipt %s\n  chain         %s\n  tx            %s (%s)\n  signed by     %zu key(s)\n"
      "  committed     height %llu at %s\n  block         %s\n  certified by  %zu of %zu "
      "validators (set %s)\n",
      a.positional[0].c_str(), r.chain_id.c_str(), HexEncode(r.tx_id).c_str(), r.tx_type.c_str(),
      r.signers.size(), static_cast<unsigned long long>(r.height),
      FormatTime(r.block_time_ms).c_str(), HexEncode(r.block_hash).c_str(), r.precommits,
      r.validators, HexEncode(r.validator_set_hash).c_str());
  for (const std::string& s : r.signers) std::printf("  signer        %s\n", s.c_str());
  return kExitOk;
}

}  // namespace

int ReceiptCommand(const Args& a) {
  return RunSubcommand(a, "receipt", kHelp, {{"get", Get}, {"verify", Verify}});
}

}  // namespace consentd::cli
