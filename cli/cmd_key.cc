// consentctl key new | show | export-public

#include <cstdio>
#include <filesystem>

#include "cli/commands.h"
#include "wallet/key_file.h"

namespace consentd::cli {
namespace {

constexpr const char* kHelp =
    R"(consentctl key new --out FILE [--passphrase-file F | --passphrase-env VAR | --insecure-plaintext]
consentctl key show FILE [--json]
consentctl key export-public FILE [--json]

new            creates a signing key (BIP340, secp256k1) in FILE, mode 0600. The secret is
               encrypted with scrypt + AES-256-GCM under a passphrase, asked for twice without
               echo, or read from --passphrase-file / the variable named by --passphrase-env.
               --insecure-plaintext stores it unencrypted: for local test networks only.
show           the file's public key and whether it is encrypted (no passphrase needed)
export-public  the public key alone (hex), to give to a counterparty or a controller
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

}  // namespace

int KeyCommand(const Args& a) {
  return RunSubcommand(a, "key", kHelp,
                       {{"new", New},
                        {"show", [](const Args& b) { return Show(b, false); }},
                        {"export-public", [](const Args& b) { return Show(b, true); }}});
}

}  // namespace consentd::cli
