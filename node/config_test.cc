#include "node/config.h"

#include <gtest/gtest.h>

namespace consentd::node {
namespace {

std::string Error(std::string_view text) {
  auto c = Config::Parse(text, "/home/n");
  return c.ok() ? "ok" : c.status().code() + " " + c.status().message();
}

TEST(ConfigTest, DefaultsAndPaths) {
  auto c = Config::Parse("{}", "/home/n");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->GenesisPath(), "/home/n/genesis.json");
  EXPECT_EQ(c->KeyPath(), "/home/n/node_key.json");
  EXPECT_EQ(c->SafetyStatePath(), "/home/n/safety_state.json");
  EXPECT_EQ(c->WalPath(), "/home/n/data/consensus.wal");
  EXPECT_EQ(c->p2p.listen.port, 26656);
  EXPECT_EQ(c->http.listen.ToString(), "127.0.0.1:8080");
  EXPECT_EQ(c->log.level, "info");
  EXPECT_TRUE(c->storage.verify_on_start);
  EXPECT_EQ(c->storage.background_nice, 10);
}

TEST(ConfigTest, FullConfig) {
  auto c = Config::Parse(R"({
    "genesis_file": "/etc/consentd/genesis.json",
    "p2p": {"listen": "0.0.0.0:26700", "peers": ["10.0.0.2:26700", "node3.example:26700"],
            "observers": ["79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"]},
    "http": {"listen": "127.0.0.1:8700", "threads": 32,
             "tokens": [{"sha256": "0000000000000000000000000000000000000000000000000000000000000000",
                         "role": "auditor"}]},
    "mempool": {"max_txs": 1000},
    "storage": {"verify_on_start": false, "background_nice": 0},
    "log": {"level": "debug", "file": "consentd.log"}
  })",
                         "/home/n");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->GenesisPath(), "/etc/consentd/genesis.json");
  ASSERT_EQ(c->p2p.peers.size(), 2u);
  EXPECT_EQ(c->p2p.peers[1].host, "node3.example");
  EXPECT_EQ(c->p2p.observers.size(), 1u);
  EXPECT_EQ(c->http.threads, 32u);
  EXPECT_EQ(c->http.tokens[0].role, "auditor");
  EXPECT_EQ(c->mempool.max_txs, 1000u);
  EXPECT_FALSE(c->storage.verify_on_start);
  EXPECT_EQ(c->storage.background_nice, 0);
}

TEST(ConfigTest, ErrorsNameTheField) {
  EXPECT_NE(Error("{\"p2p\": {\"listen\": \"nohost\"}}").find("config_invalid p2p.listen"),
            std::string::npos);
  EXPECT_NE(Error("{\"p2p\": {\"listen\": \"h:99999\"}}").find("p2p.listen: port"),
            std::string::npos);
  EXPECT_NE(Error("{\"p2p\": {\"peers\": [\"ok:1\", 7]}}").find("p2p.peers[1]"), std::string::npos);
  EXPECT_NE(Error("{\"http\": {\"threads\": 0}}").find("http.threads"), std::string::npos);
  EXPECT_NE(Error("{\"http\": {\"tokens\": [{\"sha256\": \"ab\", \"role\": \"auditor\"}]}}")
                .find("http.tokens[0].sha256"),
            std::string::npos);
  EXPECT_NE(Error("{\"http\": {\"tokens\": [{\"sha256\": \"" + std::string(64, '0') +
                  "\", \"role\": \"insurer\"}]}}")
                .find("http.tokens[0].member"),
            std::string::npos);
  EXPECT_NE(Error("{\"log\": {\"level\": \"loud\"}}").find("log.level"), std::string::npos);
  EXPECT_NE(Error("{\"colour\": \"blue\"}").find("colour: unknown field"), std::string::npos);
  EXPECT_NE(Error("{\"mempool\": {\"max_txs\": \"many\"}}").find("mempool.max_txs"),
            std::string::npos);
  EXPECT_NE(Error("{\"storage\": {\"verify_on_start\": 1}}").find("storage.verify_on_start"),
            std::string::npos);
  EXPECT_NE(Error("{\"storage\": {\"background_nice\": 20}}").find("storage.background_nice"),
            std::string::npos);
  EXPECT_NE(Error("not json").find("config_invalid"), std::string::npos);
  EXPECT_EQ(Config::Load("/nonexistent-home").status().code(), "config_missing");
}

}  // namespace
}  // namespace consentd::node
