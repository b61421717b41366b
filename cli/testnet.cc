#include "cli/testnet.h"

#include <chrono>
#include <filesystem>

#include "common/clock.h"
#include "common/file_util.h"
#include "common/hex.h"
#include "crypto/random.h"
#include "crypto/sha256.h"
#include "ledger/genesis.h"
#include "node/api_tokens.h"
#include "wallet/key_file.h"

namespace consentd::cli {
namespace {

namespace fs = std::filesystem;

Status Invalid(std::string m) { return Status::Error(Reason::kTestnetInvalid, std::move(m)); }

Result<crypto::PrivateKey> NewKey() { return crypto::PrivateKey::Generate(); }

}  // namespace

Json DefaultNetwork(int validators, const std::string& chain_id) {
  Json members = Json::array();
  for (int i = 0; i < validators; ++i) {
    members.push_back(Json{{"id", "insurer-" + std::to_string(i + 1)},
                           {"roles", {"insurer"}},
                           {"jurisdiction", "CN"},
                           {"validator", true}});
  }
  members.push_back(Json{
      {"id", "regulator"}, {"roles", {"regulator"}}, {"jurisdiction", "CN"}, {"validator", false}});
  members.push_back(Json{
      {"id", "auditor"}, {"roles", {"auditor"}}, {"jurisdiction", "CN"}, {"validator", false}});
  return Json{{"chain_id", chain_id},
              {"host", "127.0.0.1"},
              {"p2p_base_port", 26601},
              {"http_base_port", 8601},
              {"governance_threshold", 2 * validators / 3 + 1},
              {"members", members},
              {"consensus", consensus::TimeoutParams{}.ToJson()},
              {"params", Json::object()}};
}

Status WriteTestnet(const TestnetOptions& options, std::string* summary) {
  Json net;
  if (!options.network_file.empty()) {
    CONSENTD_ASSIGN_OR_RETURN(std::string text, ReadFile(options.network_file, 1 << 20));
    auto parsed = ParseJson(text);
    if (!parsed.ok()) return Invalid(options.network_file + ": " + parsed.status().ToString());
    net = std::move(*parsed);
  } else {
    if (options.validators < 1 || options.validators > 64)
      return Invalid("--validators must be 1-64");
    net = DefaultNetwork(options.validators, options.chain_id);
  }
  if (options.out_dir.empty()) return Invalid("--out is required");
  if (fs::exists(fs::path(options.out_dir) / "genesis.json")) {
    return Status::Error(Reason::kTestnetExists, options.out_dir + " already holds a network");
  }
  try {
    const std::string host = net.value("host", "127.0.0.1");
    const int p2p_base = net.at("p2p_base_port").get<int>();
    const int http_base = net.at("http_base_port").get<int>();
    const std::int64_t now = UnixMillisNow();

    // Keys: member signing keys, node keys for validators, API tokens.
    fs::create_directories(fs::path(options.out_dir) / "keys");
    Json genesis_members = Json::array();
    Json tokens = Json::object();
    Json token_configs = Json::array();
    std::vector<std::string> validator_names;
    std::vector<std::string> node_key_files;
    for (const Json& m : net.at("members")) {
      const std::string id = m.at("id").get<std::string>();
      CONSENTD_ASSIGN_OR_RETURN(auto key, NewKey());
      CONSENTD_RETURN_IF_ERROR(
          wallet::WriteKeyFile((fs::path(options.out_dir) / "keys" / (id + ".json")).string(),
                               wallet::PlaintextKey(key)));
      Json gm{{"id", id},
              {"roles", m.at("roles")},
              {"keys", {key.public_key().Hex()}},
              {"jurisdiction", m.at("jurisdiction")}};
      if (m.value("validator", false)) {
        CONSENTD_ASSIGN_OR_RETURN(auto node_key, NewKey());
        gm["validator_key"] = node_key.public_key().Hex();
        validator_names.push_back(id);
        node_key_files.push_back(wallet::PlaintextKey(node_key));
      }
      genesis_members.push_back(std::move(gm));
      for (const Json& role : m.at("roles")) {
        if (role == "processor") continue;
        CONSENTD_ASSIGN_OR_RETURN(std::string token, node::GenerateToken());
        tokens[id] = Json{{"token", token}, {"role", role}};
        Json tc{{"name", id}, {"sha256", HexEncode(crypto::Sha256(token))}, {"role", role}};
        if (role == "insurer") tc["member"] = id;
        token_configs.push_back(std::move(tc));
        break;
      }
    }
    if (validator_names.empty()) return Invalid("the network needs at least one validator");

    Json genesis_json{{"chain_id", net.at("chain_id")},
                      {"genesis_time_ms",
                       options.genesis_time_ms > 0 ? options.genesis_time_ms : now - now % 1000},
                      {"governance_threshold", net.at("governance_threshold")},
                      {"members", genesis_members},
                      {"consensus", net.at("consensus")},
                      {"params", net.value("params", Json::object())}};
    auto genesis = ledger::Genesis::FromJson(genesis_json);
    if (!genesis.ok())
      return Invalid("the network file gives an invalid genesis: " + genesis.status().message());
    const std::string genesis_text = genesis->ToJson().dump(2) + "\n";
    CONSENTD_RETURN_IF_ERROR(
        WriteFileAtomic((fs::path(options.out_dir) / "genesis.json").string(), genesis_text));
    CONSENTD_RETURN_IF_ERROR(WriteFileAtomic((fs::path(options.out_dir) / "tokens.json").string(),
                                             tokens.dump(2) + "\n", 0600));

    std::string lines;
    for (std::size_t i = 0; i < validator_names.size(); ++i) {
      const fs::path home = fs::path(options.out_dir) / ("node" + std::to_string(i));
      fs::create_directories(home);
      Json peers = Json::array();
      for (std::size_t j = 0; j < validator_names.size(); ++j) {
        if (j != i) peers.push_back(host + ":" + std::to_string(p2p_base + static_cast<int>(j)));
      }
      Json config{{"genesis_file", "genesis.json"},
                  {"node_key_file", "node_key.json"},
                  {"p2p",
                   {{"listen", host + ":" + std::to_string(p2p_base + static_cast<int>(i))},
                    {"peers", peers}}},
                  {"http",
                   {{"listen", host + ":" + std::to_string(http_base + static_cast<int>(i))},
                    {"tokens", token_configs}}},
                  {"log", {{"level", "info"}, {"file", "consentd.log"}}}};
      CONSENTD_RETURN_IF_ERROR(
          WriteFileAtomic((home / "config.json").string(), config.dump(2) + "\n"));
      CONSENTD_RETURN_IF_ERROR(WriteFileAtomic((home / "genesis.json").string(), genesis_text));
      CONSENTD_RETURN_IF_ERROR(
          wallet::WriteKeyFile((home / "node_key.json").string(), node_key_files[i]));
      lines += "  " + home.string() + "  (" + validator_names[i] + ")  http://" + host + ":" +
               std::to_string(http_base + static_cast<int>(i)) + "\n";
    }
    if (summary != nullptr) {
      *summary = "wrote chain " + net.at("chain_id").get<std::string>() + " with " +
                 std::to_string(validator_names.size()) + " validators to " + options.out_dir +
                 ":\n" + lines + "member keys in " + options.out_dir + "/keys/, API tokens in " +
                 options.out_dir +
                 "/tokens.json\nWARNING: keys are stored unencrypted (insecure_plaintext_secret): "
                 "for local "
                 "test networks only.\n";
    }
  } catch (const std::exception& e) {
    return Invalid(std::string("malformed network description: ") + e.what());
  }
  return Status::Ok();
}

}  // namespace consentd::cli
