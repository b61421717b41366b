#include "node/p2p/test_util.h"

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace consentd::node::p2p::test {

crypto::PrivateKey TestKey(std::uint8_t seed) {
  FixedBytes<32> secret{};
  secret.fill(seed);
  return crypto::PrivateKey::FromBytes(secret).value();
}

std::uint16_t PickFreePort() {
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::acceptor acceptor(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0},
                                          /*reuse_addr=*/true);
  return acceptor.local_endpoint().port();
}

bool Hub::WaitUntil(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_for(lock, timeout, pred);
}

bool Events::Logged(std::string_view needle) const { return CountLogged(needle) > 0; }

int Events::CountLogged(std::string_view needle) const {
  return static_cast<int>(std::count_if(log.begin(), log.end(), [&](const std::string& line) {
    return line.find(needle) != std::string::npos;
  }));
}

std::set<crypto::PublicKey> Events::ConnectedKeys() const {
  std::set<crypto::PublicKey> keys;
  for (const auto& [id, key] : connected) keys.insert(key);
  return keys;
}

PeerId Events::PeerWith(const crypto::PublicKey& key) const {
  for (const auto& [id, k] : connected) {
    if (k == key) return id;
  }
  return 0;
}

TestNode::TestNode(Hub& hub, std::uint8_t key_seed,
                   const std::function<void(TransportConfig&)>& tweak)
    : hub_(hub), key_(TestKey(key_seed)) {
  TransportConfig config;
  config.chain_id = std::string(kChain);
  config.backoff_initial_ms = 20;
  config.backoff_max_ms = 200;
  config.handshake_timeout_ms = 3000;
  // P2P_TEST_LOG=1 prints every node's log lines (for debugging a failing test).
  const bool print = std::getenv("P2P_TEST_LOG") != nullptr;
  config.log = [this, print, key_seed](std::string_view level, std::string_view line) {
    if (print) {
      std::fprintf(stderr, "[node %d] %.*s %.*s\n", key_seed, static_cast<int>(level.size()),
                   level.data(), static_cast<int>(line.size()), line.data());
    }
    std::lock_guard<std::mutex> lock(hub_.mu_);
    events_.log.push_back(std::string(level) + " " + std::string(line));
    hub_.cv_.notify_all();
  };
  if (tweak) tweak(config);
  TransportHandler handler;
  handler.on_connected = [this](PeerId id, const crypto::PublicKey& key) {
    std::lock_guard<std::mutex> lock(hub_.mu_);
    events_.connected.insert_or_assign(id, key);
    events_.connects++;
    hub_.cv_.notify_all();
  };
  handler.on_disconnected = [this](PeerId id) {
    std::lock_guard<std::mutex> lock(hub_.mu_);
    events_.connected.erase(id);
    events_.disconnects++;
    hub_.cv_.notify_all();
  };
  handler.on_message = [this](PeerId id, std::uint8_t kind, std::string payload) {
    std::lock_guard<std::mutex> lock(hub_.mu_);
    events_.messages.push_back(Message{id, kind, std::move(payload)});
    hub_.cv_.notify_all();
    if (kind == kThrowingKind) throw std::runtime_error("a node callback that throws");
  };
  auto allowed = [this](const crypto::PublicKey& key) {
    std::lock_guard<std::mutex> lock(allowed_mu_);
    return allowed_.contains(key);
  };
  Result<std::unique_ptr<Transport>> created =
      Transport::Create(std::move(config), &key_, allowed, std::move(handler));
  if (!created.ok()) {
    std::fprintf(stderr, "Transport::Create: %s\n", created.status().ToString().c_str());
    std::abort();
  }
  transport_ = std::move(created).value();
}

TestNode::~TestNode() { transport_->Stop(); }

void TestNode::Allow(const crypto::PublicKey& key) {
  std::lock_guard<std::mutex> lock(allowed_mu_);
  allowed_.insert(key);
}

}  // namespace consentd::node::p2p::test
