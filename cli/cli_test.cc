// Runs the consentctl binary as a user would: offline commands, multi-party signing through a
// file, offline receipt verification of the shared fixtures, exit codes, and bad input.

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "common/file_util.h"
#include "common/json.h"
#include "common/test_paths.h"

namespace consentd {
namespace {

namespace fs = std::filesystem;

const std::string kCtl = std::string(consentd::testing::BuildDir()) + "/cli/consentctl";
const std::string kFixtures =
    std::string(consentd::testing::SourceDir()) + "/tests/fixtures/receipts/";
// A port nothing listens on (below 1024, and the tests run no server).
const std::string kDeadNode = "--node http://127.0.0.1:9";

struct Outcome {
  int code = -1;
  std::string out;
  std::string err;
};

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("consentctl-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

  // Runs `consentctl ARGS` with stdin closed and no terminal for prompts.
  Outcome Ctl(const std::string& args, const std::string& env = "") {
    const std::string out = Path("stdout");
    const std::string err = Path("stderr");
    const std::string cmd = "cd '" + dir_.string() + "' && " + env + " setsid " + kCtl + " " +
                            args + " </dev/null >'" + out + "' 2>'" + err + "'";
    const int raw = std::system(cmd.c_str());
    Outcome r;
    r.code = WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
    r.out = ReadFile(out).value();
    r.err = ReadFile(err).value();
    // Sanitizer reports also exit non-zero; make them loud.
    EXPECT_EQ(r.err.find("Sanitizer"), std::string::npos) << args << "\n" << r.err;
    EXPECT_EQ(r.err.find("runtime error"), std::string::npos) << args << "\n" << r.err;
    return r;
  }

  fs::path dir_;
};

TEST_F(CliTest, HelpEverywhere) {
  for (const char* cmd : {"--help",
                          "key --help",
                          "key new --help",
                          "tx --help",
                          "tx consent.grant --help",
                          "tx sign --help",
                          "submit --help",
                          "receipt --help",
                          "receipt verify --help",
                          "status --help",
                          "consent --help",
                          "consents --help",
                          "check --help",
                          "history --help",
                          "agreements --help",
                          "audit --help",
                          "audit export --help",
                          "testnet --help",
                          "report --help",
                          "report compliance --help",
                          "reasons --help",
                          "schema --help",
                          "vocab --help"}) {
    const Outcome r = Ctl(cmd);
    EXPECT_EQ(r.code, 0) << cmd << "\n" << r.err;
    EXPECT_NE(r.out.find("consentctl"), std::string::npos) << cmd;
  }
  // Every tx type has its own help listing its fields.
  const Outcome grant = Ctl("tx consent.grant --help");
  for (const char* flag : {"--subject", "--purposes", "--valid-until", "--notice"}) {
    EXPECT_NE(grant.out.find(flag), std::string::npos) << flag;
  }
  EXPECT_EQ(Ctl("tx incident-report --help").code, 0);
}

TEST_F(CliTest, UsageErrorsExitTwoAndNeverCrash) {
  for (const char* cmd : {"",
                          "frobnicate",
                          "key",
                          "key new",
                          "key bogus",
                          "key show",
                          "tx",
                          "tx consent.nope",
                          "tx consent.grant --colour blue",
                          "tx sign",
                          "tx sign missing.json --key k.json",
                          "receipt",
                          "receipt verify",
                          "receipt verify x.json",
                          "receipt get nothex",
                          "receipt verify x.json --genesis a --anchor b",
                          "check --subject x",
                          "consent show 12",
                          "audit export --format xml --out f",
                          "audit export --from 5 --to 1 --out f",
                          "tx consent.withdraw --consent-id",
                          "tx get zz",
                          "agreements show nothex",
                          "report",
                          "report bogus",
                          "report compliance --format xml",
                          "report compliance --from yesterday",
                          "report compliance --from 5 --to 1",
                          "report compliance --colour blue",
                          "key derive",
                          "key derive root.json",
                          "key derive root.json --controller a --controller b",
                          "key link --audience regulator --chain-id c",
                          "key link root.json --audience regulator --chain-id c",
                          "key link --controller insurer-a --audience regulator",
                          "key verify-link",
                          "key verify-link a b",
                          "consents --derive-for insurer-a",
                          "schema consent.nope",
                          "reasons extra",
                          "reasons --colour blue",
                          "reasons --markdown html"}) {
    const Outcome r = Ctl(cmd);
    EXPECT_EQ(r.code, 2) << "consentctl " << cmd << "\n" << r.out << r.err;
    EXPECT_FALSE(r.err.empty()) << cmd;
  }
}

// What `reasons`, `vocab` and `schema` print is what docs/ holds, byte for byte where the docs
// embed it and value for value where they are JSON files.
TEST_F(CliTest, ReasonsVocabAndSchemaPrintWhatTheDocsHold) {
  const std::string src = std::string(consentd::testing::SourceDir()) + "/docs/";
  const Outcome json = Ctl("reasons --json");
  ASSERT_EQ(json.code, 0) << json.err;
  const Json reasons = ParseJson(json.out).value();
  ASSERT_GT(reasons.size(), 200u);
  bool found = false;
  for (const Json& r : reasons) {
    if (r["code"] == "consent_not_active") {
      found = true;
      EXPECT_EQ(r["http_status"], 422);
      EXPECT_EQ(r["class"], "rejected");
    }
    if (r["code"] == "block_malformed") EXPECT_TRUE(r["http_status"].is_null());
  }
  EXPECT_TRUE(found);
  const Outcome text = Ctl("reasons");
  EXPECT_EQ(text.code, 0);
  EXPECT_NE(text.out.find("consent_not_active"), std::string::npos);
  EXPECT_NE(text.out.find(" 422 "), std::string::npos);
  for (const auto& [args, doc] : std::vector<std::pair<std::string, std::string>>{
           {"reasons --markdown api", "API.md"},
           {"reasons --markdown local", "CLI.md"},
           {"reasons --openapi", "api/openapi.yaml"}}) {
    const Outcome r = Ctl(args);
    ASSERT_EQ(r.code, 0) << args << "\n" << r.err;
    ASSERT_GT(r.out.size(), 1000u) << args;
    EXPECT_NE(ReadFile(src + doc).value().find(r.out), std::string::npos)
        << args << " is not what docs/" << doc << " holds";
  }

  const Outcome vocab = Ctl("vocab");
  ASSERT_EQ(vocab.code, 0) << vocab.err;
  EXPECT_EQ(ParseJson(vocab.out).value(),
            ParseJson(ReadFile(src + "api/vocabularies.json").value()).value());

  const Outcome grant = Ctl("schema consent.grant");
  ASSERT_EQ(grant.code, 0) << grant.err;
  EXPECT_EQ(ParseJson(grant.out).value(),
            ParseJson(ReadFile(src + "api/schemas/consent.grant.json").value()).value());
  ASSERT_EQ(Ctl("schema --out " + Path("schemas")).code, 0);
  std::size_t files = 0;
  for (const auto& entry : fs::directory_iterator(src + "api/schemas")) {
    ++files;
    const std::string name = entry.path().filename().string();
    EXPECT_EQ(ReadFile(Path("schemas/" + name)).value(), ReadFile(entry.path().string()).value())
        << name;
  }
  EXPECT_EQ(files, static_cast<std::size_t>(std::distance(fs::directory_iterator(Path("schemas")),
                                                          fs::directory_iterator())));
  EXPECT_GE(files, 16u);
}

TEST_F(CliTest, KeysAreCreatedShownAndProtected) {
  Outcome r = Ctl("key new --out customer.json --insecure-plaintext --json");
  ASSERT_EQ(r.code, 0) << r.err;
  const Json made = ParseJson(r.out).value();
  EXPECT_EQ(made["encrypted"], false);
  struct stat st {};
  ASSERT_EQ(::stat(Path("customer.json").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  r = Ctl("key export-public customer.json");
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, made["public_key"].get<std::string>() + "\n");
  EXPECT_EQ(Ctl("key new --out customer.json --insecure-plaintext").code, 2) << "overwrote a key";

  // Encrypted: the passphrase from the environment; no terminal and no source is an error.
  r = Ctl("key new --out insurer.json --passphrase-env PASS", "PASS=correct-horse");
  ASSERT_EQ(r.code, 0) << r.err;
  r = Ctl("key show insurer.json --json");
  EXPECT_EQ(ParseJson(r.out).value()["encrypted"], true);
  r = Ctl("key new --out other.json");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("key_passphrase_required"), std::string::npos) << r.err;

  ::chmod(Path("customer.json").c_str(), 0644);
  r = Ctl("key show customer.json");
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.err.find("readable by other users"), std::string::npos);
}

// docs/WALLET.md offline: the keys a root derives match the independent vectors, a derived key
// file keeps the root's protection, and a key link verifies until it is altered.
TEST_F(CliTest, AWalletRootDerivesAKeyPerInsurerAndLinksThem) {
  const Json vectors = ParseJson(ReadFile(std::string(consentd::testing::SourceDir()) +
                                          "/tests/fixtures/subject_keys/vectors.json")
                                     .value())
                           .value();
  const Json& v = vectors["vectors"][3];
  const std::string root_file = R"({"version": 1, "type": "consentd-key", "public_key": ")" +
                                v["root_public_key"].get<std::string>() +
                                R"(", "insecure_plaintext_secret": ")" +
                                v["root_secret"].get<std::string>() + "\"}";
  ASSERT_TRUE(WriteFileAtomic(Path("root.json"), root_file).ok());
  ::chmod(Path("root.json").c_str(), 0600);
  Outcome r = Ctl("key derive root.json --controller " + v["controller"].get<std::string>() +
                  " --out derived.json --json");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(ParseJson(r.out).value()["public_key"], v["public_key"]) << r.out;
  r = Ctl("key export-public derived.json");
  EXPECT_EQ(r.out, v["public_key"].get<std::string>() + "\n");
  EXPECT_EQ(Ctl("key derive root.json --controller Not-A-Member").code, 1);

  // An encrypted root gives an encrypted derived file, under the same passphrase.
  ASSERT_EQ(Ctl("key new --out enc.json --passphrase-env PASS", "PASS=pw-1").code, 0);
  ASSERT_EQ(Ctl("key derive enc.json --controller insurer-a --out enc-a.json --passphrase-env PASS",
                "PASS=pw-1")
                .code,
            0);
  EXPECT_EQ(ParseJson(Ctl("key show enc-a.json --json").out).value()["encrypted"], true);

  r =
      Ctl("key link root.json --controller insurer-a --controller insurer-b --key enc-a.json "
          "--audience regulator --chain-id local-four --issued-at 1767225600000 --out link.json",
          "PASS=pw-1");
  EXPECT_EQ(r.code, 1) << "enc-a.json opened without its passphrase";
  EXPECT_NE(r.err.find("key_passphrase_required"), std::string::npos) << r.err;
  r =
      Ctl("key link root.json --controller insurer-a --controller insurer-b --key enc-a.json "
          "--audience regulator --chain-id local-four --issued-at 1767225600000 --out link.json "
          "--passphrase-env PASS",
          "PASS=pw-1");
  ASSERT_EQ(r.code, 0) << r.err;
  r = Ctl("key verify-link link.json --audience regulator --chain-id local-four --json");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(ParseJson(r.out).value()["subjects"].size(), 3u) << r.out;
  EXPECT_EQ(Ctl("key verify-link link.json --chain-id local-five").code, 1);
  std::string text = ReadFile(Path("link.json")).value();
  text.replace(text.find("1767225600000"), 13, "1767225600001");
  ASSERT_TRUE(WriteFileAtomic(Path("link.json"), text).ok());
  r = Ctl("key verify-link link.json");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("link_bad_signature"), std::string::npos) << r.err;
}

TEST_F(CliTest, TwoPartiesSignAGrantThroughAFile) {
  ASSERT_EQ(Ctl("key new --out customer.json --insecure-plaintext").code, 0);
  ASSERT_EQ(WriteFileAtomic(Path("pass"), "s3cret\n"), Status::Ok());
  ASSERT_EQ(Ctl("key new --out insurer.json --passphrase-file pass").code, 0);
  const std::string customer = Ctl("key export-public customer.json").out.substr(0, 64);

  const std::string grant =
      "tx consent.grant --chain-id local-4 --expires-at-height 500 --controller insurer-a"
      " --subject key:" +
      customer +
      " --purposes ClaimsHandling --categories Contact,Financial --notice "
      "5f0c3a9e21d84b7c96e1a2b3c4d5e6f7:1"
      " --collection-method app --valid-from 2026-01-01T00:00:00Z"
      " --valid-until 2028-01-01T00:00:00Z";
  // The customer signs on their phone...
  Outcome r = Ctl(grant + " --key customer.json --out grant.json");
  ASSERT_EQ(r.code, 0) << r.err;
  r = Ctl("tx show grant.json --json");
  ASSERT_EQ(r.code, 0) << r.err;
  Json shown = ParseJson(r.out).value();
  EXPECT_EQ(shown["signers"].size(), 1u);
  EXPECT_EQ(shown["type"], "consent.grant");
  const std::string tx_id = shown["tx_id"];

  // ...and the insurer co-signs later.
  r = Ctl("tx sign grant.json --key insurer.json --passphrase-file pass");
  ASSERT_EQ(r.code, 0) << r.err;
  shown = ParseJson(Ctl("tx show grant.json --json").out).value();
  EXPECT_EQ(shown["signers"].size(), 2u);
  EXPECT_EQ(shown["tx_id"], tx_id) << "signing changed the tx id";

  r = Ctl("tx sign grant.json --key customer.json");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("tx_already_signed"), std::string::npos) << r.err;

  // A wrong passphrase is a clear error, and the file is left as it was.
  ASSERT_EQ(WriteFileAtomic(Path("wrong"), "nope"), Status::Ok());
  r = Ctl("tx sign grant.json --key insurer.json --passphrase-file wrong");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("key_wrong_passphrase"), std::string::npos) << r.err;

  // A tampered file is refused before anyone adds to it.
  std::string text = ReadFile(Path("grant.json")).value();
  text.replace(text.find("ClaimsHandling"), 14, "Underwriting");
  ASSERT_EQ(WriteFileAtomic(Path("tampered.json"), text), Status::Ok());
  r = Ctl("tx show tampered.json");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("tx_bad_signature"), std::string::npos) << r.err;

  // Submitting to a node that is not there is a network error (exit 3).
  r = Ctl("submit grant.json " + kDeadNode);
  EXPECT_EQ(r.code, 3) << r.err;
}

TEST_F(CliTest, VocabularyIsCheckedBeforeSigning) {
  ASSERT_EQ(Ctl("key new --out k.json --insecure-plaintext").code, 0);
  const Outcome r =
      Ctl("tx sharing.record --chain-id c --expires-at-height 9 --sender insurer-a --recipient "
          "processor --subject ref:" +
          std::string(64, 'a') +
          " --purpose Gossip --categories Contact --destination CN --legal-basis consent"
          " --shared-at 5 --key k.json");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("tx_invalid_code"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty()) << "printed a tx despite the error";
}

TEST_F(CliTest, BuildingWithoutChainOrNodeExplainsWhatToPass) {
  const Outcome r =
      Ctl("tx consent.withdraw --consent-id " + std::string(64, 'b') + " " + kDeadNode);
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.err.find("--expires-at-height"), std::string::npos) << r.err;
  EXPECT_EQ(Ctl("status " + kDeadNode).code, 3);
  EXPECT_EQ(Ctl("receipt get " + std::string(64, 'c') + " " + kDeadNode).code, 3);
}

TEST_F(CliTest, ReceiptVerifyAgreesWithTheFixtureManifest) {
  const Json manifest = ParseJson(ReadFile(kFixtures + "manifest.json").value()).value();
  const Json anchor = ParseJson(ReadFile(kFixtures + "anchor.json").value()).value();
  const std::string by_hash = "--chain-id " + anchor["chain_id"].get<std::string>() +
                              " --validator-set-hash " +
                              anchor["validator_set_hash"].get<std::string>();
  for (const Json& f : manifest["fixtures"]) {
    const std::string file = kFixtures + f["file"].get<std::string>();
    const std::string expect = f["expect"];
    for (const std::string& trust : {"--genesis " + kFixtures + "genesis.json",
                                     "--anchor " + kFixtures + "anchor.json", by_hash}) {
      const Outcome r = Ctl("receipt verify " + file + " " + trust + " --json");
      const Json verdict = ParseJson(r.out).value();
      if (expect == "ok") {
        EXPECT_EQ(r.code, 0) << file << "\n" << r.out;
        EXPECT_EQ(verdict["valid"], true);
      } else {
        EXPECT_EQ(r.code, 1) << file;
        EXPECT_EQ(verdict["code"], expect) << file;
        EXPECT_EQ(verdict["check"], f["check"]) << file;
      }
    }
  }
  // The human form names the failed check and the reason.
  const Outcome bad = Ctl("receipt verify " + kFixtures + "tampered-cert-too-few.json --genesis " +
                          kFixtures + "genesis.json");
  EXPECT_EQ(bad.code, 1);
  EXPECT_NE(bad.out.find("INVALID"), std::string::npos);
  EXPECT_NE(bad.out.find("cert_too_few_signatures"), std::string::npos);
  const Outcome good = Ctl("receipt verify " + kFixtures + "valid-consent-grant.json --genesis " +
                           kFixtures + "genesis.json");
  EXPECT_EQ(good.code, 0);
  EXPECT_NE(good.out.find("VALID"), std::string::npos);
  // A garbage file is an invalid receipt, not a crash.
  ASSERT_EQ(WriteFileAtomic(Path("junk.json"), "{\"version\":1,"), Status::Ok());
  EXPECT_EQ(Ctl("receipt verify junk.json --genesis " + kFixtures + "genesis.json").code, 1);
}

}  // namespace
}  // namespace consentd
