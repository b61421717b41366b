// consentctl key new | show | export-public | derive | link | verify-link

#include <cstdio>
#include <filesystem>

#include "cli/commands.h"
#include "common/clock.h"
#include "common/file_util.h"
#include "wallet/key_file.h"
#include "wallet/subject_keys.h"

namespace consentd::cli {
namespace {

constexpr const char* kHelp =
    R"(consentctl key new --out FILE [--passphrase-file F | --passphrase-env VAR | --insecure-plaintext]
consentctl key show FILE [--json]
consentctl key export-public FILE [--json]
consentctl key derive ROOT --controller MEMBER [--out FILE] [--json]
consentctl key link [ROOT --controller MEMBER...] [--key FILE]... --audience MEMBER
                    [--chain-id ID | --genesis FILE | --node URL] [--issued-at MS] [--out FILE]
consentctl key verify-link FILE [--audience MEMBER] [--chain-id ID | --genesis FILE] [--json]

new            creates a signing key (BIP340, secp256k1) in FILE, mode 0600. The secret is
               encrypted with scrypt + AES-256-GCM under a passphrase, asked for twice without
               echo, or read from --passphrase-file / the variable named by --passphrase-env.
               --insecure-plaintext stores it unencrypted: for local test networks only.
show           the file's public key and whether it is encrypted (no passphrase needed)
export-public  the public key alone (hex), to give to a counterparty or a controller
derive         a customer's subject key for one insurer: the key file ROOT is the wallet root,
               and the key it derives for controller MEMBER is the subject the customer uses
               with that insurer only (docs/WALLET.md). Prints it; --out FILE also writes it as
               a key file under the root's passphrase (plaintext if the root is), for every
               command that takes a key file. Queries take --sign-key ROOT --derive-for MEMBER.
link           proves that several subject keys are one customer's, to the member named by
               --audience (a regulator, or the acquirer of a portfolio): a statement every key
               signs. Keys: those ROOT derives for each --controller, and each --key file.
               The chain id comes from --chain-id, --genesis or the node. Written to --out
               (mode 0600) or printed.
verify-link    checks a key link offline: its form, every signature, and when given the
               audience and the chain it must name. Exit 0 valid, 1 not.
)";

int New(const Args& a) {
  if (auto e =
          CheckArgs(a, {"--out", "--passphrase-file", "--passphrase-env", "--insecure-plaintext"},
                    0, 0, "consentctl key new --out FILE [...]")) {
    return *e;
  }
  const std::string out = a.Get("--out");
  if (out.empty()) return Fail(kExitUsage, "key new: --out FILE is required");
  if (std::filesystem::exists(out)) {
    return Fail(kExitUsage, "key new: " + out + " exists; refusing to overwrite a key");
  }
  auto key = crypto::PrivateKey::Generate();
  if (!key.ok()) return FailStatus(key.status());
  std::string text;
  if (a.Has("--insecure-plaintext")) {
    text = wallet::PlaintextKey(*key);
  } else {
    auto pass = Passphrase(a, /*confirm=*/true);
    if (!pass.ok()) return FailStatus(pass.status());
    auto enc = wallet::EncryptKey(*key, *pass);
    if (!enc.ok()) return FailStatus(enc.status());
    text = std::move(*enc);
  }
  Status st = wallet::WriteKeyFile(out, text);
  if (!st.ok()) return FailStatus(st);
  if (a.Json()) {
    PrintJson(Json{{"file", out},
                   {"public_key", key->public_key().Hex()},
                   {"encrypted", !a.Has("--insecure-plaintext")}});
  } else {
    std::printf(
        "wrote %s (%s)\npublic key %s\n", out.c_str(),
        a.Has("--insecure-plaintext") ? "UNENCRYPTED: local testing only" : "encrypted, mode 0600",
        key->public_key().Hex().c_str());
  }
  return kExitOk;
}

int Show(const Args& a, bool public_only) {
  if (auto e = CheckArgs(a, {}, 1, 1, "consentctl key show|export-public FILE")) return *e;
  bool loose = false;
  auto text = wallet::ReadKeyFile(a.positional[0], &loose);
  if (!text.ok()) return FailStatus(text.status());
  auto pub = wallet::KeyFilePublicKey(*text);
  if (!pub.ok()) return FailStatus(pub.status());
  const bool plaintext = wallet::IsPlaintextKeyFile(*text);
  if (a.Json()) {
    Json j{{"public_key", pub->Hex()}};
    if (!public_only) {
      j["file"] = a.positional[0];
      j["encrypted"] = !plaintext;
      j["loose_permissions"] = loose;
    }
    PrintJson(j);
  } else if (public_only) {
    std::puts(pub->Hex().c_str());
  } else {
    std::printf("file        %s\npublic key  %s\nsubject     key:%s\nencrypted   %s\n",
                a.positional[0].c_str(), pub->Hex().c_str(), pub->Hex().c_str(),
                plaintext ? "no (insecure plaintext: local testing only)" : "yes");
  }
  if (loose) {
    std::fprintf(stderr, "consentctl: warning: %s is readable by other users (chmod 600 %s)\n",
                 a.positional[0].c_str(), a.positional[0].c_str());
  }
  return kExitOk;
}

int Derive(const Args& a) {
  if (auto e = CheckArgs(a, {"--controller", "--out", "--passphrase-file", "--passphrase-env"}, 1,
                         1, "consentctl key derive ROOT --controller MEMBER [--out FILE]")) {
    return *e;
  }
  if (a.GetAll("--controller").size() != 1) {
    return Fail(kExitUsage, "key derive: one --controller MEMBER is required");
  }
  const std::string out = a.Get("--out");
  if (!out.empty() && std::filesystem::exists(out)) {
    return Fail(kExitUsage, "key derive: " + out + " exists; refusing to overwrite a key");
  }
  // A derived key file is stored as the root is: under the same passphrase, or plaintext.
  std::optional<std::string> passphrase;
  auto root = LoadKey(a.positional[0], a, &passphrase);
  if (!root.ok()) return FailStatus(root.status());
  const std::string controller = a.Get("--controller");
  auto key = wallet::DeriveSubjectKey(*root, controller);
  if (!key.ok()) return FailStatus(key.status());
  if (!out.empty()) {
    Result<std::string> text = passphrase ? wallet::EncryptKey(*key, *passphrase)
                                          : Result<std::string>(wallet::PlaintextKey(*key));
    if (!text.ok()) return FailStatus(text.status());
    if (Status st = wallet::WriteKeyFile(out, *text); !st.ok()) return FailStatus(st);
  }
  const std::string pub = key->public_key().Hex();
  if (a.Json()) {
    Json j{{"controller", controller}, {"public_key", pub}, {"subject", "key:" + pub}};
    if (!out.empty()) j["file"] = out;
    PrintJson(j);
  } else {
    std::printf("controller  %s\npublic key  %s\nsubject     key:%s\n", controller.c_str(),
                pub.c_str(), pub.c_str());
    if (!out.empty()) std::printf("wrote       %s\n", out.c_str());
  }
  return kExitOk;
}

Result<std::string> LinkChainId(const Args& a) {
  CONSENTD_ASSIGN_OR_RETURN(std::optional<std::string> given, ChainIdOption(a));
  if (given) return *given;
  CONSENTD_ASSIGN_OR_RETURN(Client client, NodeClient(a));
  auto status = GetJson(client, "/v1/status");
  if (!status.ok()) {
    return Status(status.status())
        .WithContext("asking the node for the chain id (offline: pass --chain-id or --genesis)");
  }
  return status->value("chain_id", "");
}

int Link(const Args& a) {
  if (auto e = CheckArgs(a,
                         WithNodeOptions({"--controller", "--key", "--audience", "--chain-id",
                                          "--genesis", "--issued-at", "--out"}),
                         0, 1, "consentctl key link [ROOT --controller M...] [--key F]...")) {
    return *e;
  }
  const std::vector<std::string> controllers = a.GetAll("--controller");
  if (controllers.empty() != a.positional.empty()) {
    return Fail(kExitUsage,
                "key link: --controller MEMBER goes with a wallet ROOT, and a ROOT "
                "needs at least one --controller");
  }
  if (controllers.size() + a.GetAll("--key").size() < wallet::kMinLinkedKeys) {
    return Fail(kExitUsage, "key link: name at least two keys (--controller or --key)");
  }
  if (!a.Has("--audience")) {
    return Fail(kExitUsage, "key link: --audience MEMBER (who the proof is for) is required");
  }
  const std::string out = a.Get("--out");
  if (!out.empty() && std::filesystem::exists(out)) {
    return Fail(kExitUsage, "key link: " + out + " exists; refusing to overwrite it");
  }
  std::int64_t issued_at = UnixMillisNow();
  if (a.Has("--issued-at")) {
    const std::string v = a.Get("--issued-at");
    if (v.empty() || v.size() > 16 || v.find_first_not_of("0123456789") != std::string::npos) {
      return Fail(kExitUsage, "key link: --issued-at is unix milliseconds");
    }
    issued_at = std::stoll(v);
  }
  std::vector<crypto::PrivateKey> keys;
  if (!a.positional.empty()) {
    auto root = LoadKey(a.positional[0], a);
    if (!root.ok()) return FailStatus(root.status());
    for (const std::string& c : controllers) {
      auto key = wallet::DeriveSubjectKey(*root, c);
      if (!key.ok()) return FailStatus(key.status());
      keys.push_back(std::move(*key));
    }
  }
  for (const std::string& path : a.GetAll("--key")) {
    auto key = LoadKey(path, a);
    if (!key.ok()) return FailStatus(key.status());
    keys.push_back(std::move(*key));
  }
  auto chain_id = LinkChainId(a);
  if (!chain_id.ok()) return FailStatus(chain_id.status());
  std::vector<const crypto::PrivateKey*> signers;
  for (const auto& k : keys) signers.push_back(&k);
  auto doc = wallet::MakeKeyLink(signers, *chain_id, a.Get("--audience"), issued_at);
  if (!doc.ok()) return FailStatus(doc.status());
  const std::string text = doc->dump(2) + "\n";
  if (out.empty()) {
    std::fputs(text.c_str(), stdout);
    return kExitOk;
  }
  // Not a secret, but it links the customer's keys: as private as a key file.
  if (Status st = wallet::WriteKeyFile(out, text); !st.ok()) return FailStatus(st);
  std::printf("wrote %s: %zu keys linked for %s\n", out.c_str(), keys.size(),
              a.Get("--audience").c_str());
  return kExitOk;
}

int VerifyLink(const Args& a) {
  if (auto e = CheckArgs(a, {"--audience", "--chain-id", "--genesis"}, 1, 1,
                         "consentctl key verify-link FILE [--audience MEMBER] [--chain-id ID]")) {
    return *e;
  }
  auto text = ReadFile(a.positional[0], wallet::kMaxKeyLinkBytes + 1);
  if (!text.ok()) return FailStatus(text.status());
  wallet::KeyLinkExpectation expect;
  auto chain_id = ChainIdOption(a);
  if (!chain_id.ok()) return FailStatus(chain_id.status());
  expect.chain_id = *chain_id;
  if (a.Has("--audience")) expect.audience = a.Get("--audience");
  auto link = wallet::VerifyKeyLinkText(*text, expect);
  if (!link.ok()) return FailStatus(link.status());
  Json keys = Json::array();
  for (const auto& k : link->keys) keys.push_back("key:" + k.Hex());
  if (a.Json()) {
    PrintJson(Json{{"valid", true},
                   {"chain_id", link->chain_id},
                   {"audience", link->audience},
                   {"issued_at", link->issued_at},
                   {"subjects", keys}});
  } else {
    std::printf("valid key link: %zu subjects of one holder, for %s on chain %s, issued at %lld\n",
                link->keys.size(), link->audience.c_str(), link->chain_id.c_str(),
                static_cast<long long>(link->issued_at));
    for (const auto& k : keys) std::printf("  %s\n", k.get<std::string>().c_str());
  }
  return kExitOk;
}

}  // namespace

int KeyCommand(const Args& a) {
  return RunSubcommand(a, "key", kHelp,
                       {{"new", New},
                        {"show", [](const Args& b) { return Show(b, false); }},
                        {"export-public", [](const Args& b) { return Show(b, true); }},
                        {"derive", Derive},
                        {"link", Link},
                        {"verify-link", VerifyLink}});
}

}  // namespace consentd::cli
