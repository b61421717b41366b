#include "node/config.h"

#include <algorithm>
#include <charconv>

#include "common/hex.h"
#include "common/json.h"

namespace consentd::node {
namespace {

Status Invalid(std::string_view field, std::string message) {
  return Status::Error(Reason::kConfigInvalid, std::string(field) + ": " + message);
}

// Reads an object's fields one by one; rejects unknown fields at the end.
class Fields {
 public:
  Fields(const Json& j, std::string path) : j_(j), path_(std::move(path)) {}
  std::string Name(std::string_view k) const {
    return path_.empty() ? std::string(k) : path_ + "." + std::string(k);
  }
  const Json* Get(std::string_view k) {
    seen_.emplace_back(k);
    auto it = j_.find(k);
    return it == j_.end() || it->is_null() ? nullptr : &*it;
  }
  Status String(std::string_view k, std::string* out) {
    if (const Json* v = Get(k)) {
      if (!v->is_string()) return Invalid(Name(k), "must be a string");
      *out = v->get<std::string>();
    }
    return Status::Ok();
  }
  template <typename Int>
  Status Integer(std::string_view k, Int* out, std::int64_t min, std::int64_t max) {
    if (const Json* v = Get(k)) {
      if (!v->is_number_integer()) return Invalid(Name(k), "must be an integer");
      const auto n = v->get<std::int64_t>();
      if (n < min || n > max) {
        return Invalid(Name(k),
                       "must be between " + std::to_string(min) + " and " + std::to_string(max));
      }
      *out = static_cast<Int>(n);
    }
    return Status::Ok();
  }
  Status Bool(std::string_view k, bool* out) {
    if (const Json* v = Get(k)) {
      if (!v->is_boolean()) return Invalid(Name(k), "must be true or false");
      *out = v->get<bool>();
    }
    return Status::Ok();
  }
  Status Address(std::string_view k, HostPort* out) {
    if (const Json* v = Get(k)) {
      if (!v->is_string()) return Invalid(Name(k), "must be \"host:port\"");
      CONSENTD_ASSIGN_OR_RETURN(*out, ParseHostPort(v->get<std::string>(), Name(k)));
    }
    return Status::Ok();
  }
  Status Done() const {
    for (auto it = j_.begin(); it != j_.end(); ++it) {
      if (std::find(seen_.begin(), seen_.end(), it.key()) == seen_.end()) {
        return Invalid(Name(it.key()), "unknown field");
      }
    }
    return Status::Ok();
  }

 private:
  const Json& j_;
  std::string path_;
  std::vector<std::string> seen_;
};

Status ParseP2p(const Json& j, Config::P2p* p) {
  if (!j.is_object()) return Invalid("p2p", "must be an object");
  Fields f(j, "p2p");
  CONSENTD_RETURN_IF_ERROR(f.Address("listen", &p->listen));
  if (const Json* peers = f.Get("peers")) {
    if (!peers->is_array()) return Invalid("p2p.peers", "must be an array of \"host:port\"");
    for (std::size_t i = 0; i < peers->size(); ++i) {
      const std::string name = "p2p.peers[" + std::to_string(i) + "]";
      if (!(*peers)[i].is_string()) return Invalid(name, "must be \"host:port\"");
      CONSENTD_ASSIGN_OR_RETURN(auto hp, ParseHostPort((*peers)[i].get<std::string>(), name));
      p->peers.push_back(hp);
    }
  }
  if (const Json* observers = f.Get("observers")) {
    if (!observers->is_array()) return Invalid("p2p.observers", "must be an array of public keys");
    for (std::size_t i = 0; i < observers->size(); ++i) {
      const std::string name = "p2p.observers[" + std::to_string(i) + "]";
      if (!(*observers)[i].is_string())
        return Invalid(name, "must be a 64-hex-character public key");
      auto key = crypto::PublicKey::FromHex((*observers)[i].get<std::string>());
      if (!key.ok()) return Invalid(name, "must be a 64-hex-character public key");
      p->observers.push_back(key->bytes());
    }
  }
  CONSENTD_RETURN_IF_ERROR(f.Integer("max_frame_bytes", &p->max_frame_bytes, 1 << 16, 1 << 30));
  CONSENTD_RETURN_IF_ERROR(f.Integer("max_queue_bytes", &p->max_queue_bytes, 1 << 16, 1LL << 34));
  return f.Done();
}

Status ParseHttp(const Json& j, Config::Http* h) {
  if (!j.is_object()) return Invalid("http", "must be an object");
  Fields f(j, "http");
  CONSENTD_RETURN_IF_ERROR(f.Address("listen", &h->listen));
  CONSENTD_RETURN_IF_ERROR(f.Integer("threads", &h->threads, 1, 64));
  CONSENTD_RETURN_IF_ERROR(f.Integer("work_threads", &h->work_threads, 1, 64));
  CONSENTD_RETURN_IF_ERROR(f.Integer("max_body_bytes", &h->max_body_bytes, 1024, 1 << 30));
  CONSENTD_RETURN_IF_ERROR(f.Integer("max_header_bytes", &h->max_header_bytes, 1024, 1 << 20));
  CONSENTD_RETURN_IF_ERROR(f.Integer("max_header_fields", &h->max_header_fields, 8, 10'000));
  CONSENTD_RETURN_IF_ERROR(f.Integer("min_body_bytes_per_s", &h->min_body_bytes_per_s, 1, 1 << 30));
  CONSENTD_RETURN_IF_ERROR(f.Integer("idle_timeout_ms", &h->idle_timeout_ms, 100, 3'600'000));
  CONSENTD_RETURN_IF_ERROR(f.Integer("max_connections", &h->max_connections, 1, 1'000'000));
  CONSENTD_RETURN_IF_ERROR(f.Integer("answer_cache_bytes", &h->answer_cache_bytes, 0, 1LL << 34));
  CONSENTD_RETURN_IF_ERROR(
      f.Integer("max_connections_per_address", &h->max_connections_per_address, 1, 1'000'000));
  CONSENTD_RETURN_IF_ERROR(
      f.Integer("max_streams_anonymous", &h->max_streams_anonymous, 0, 100'000));
  CONSENTD_RETURN_IF_ERROR(f.Integer("max_streams_member", &h->max_streams_member, 0, 100'000));
  CONSENTD_RETURN_IF_ERROR(
      f.Integer("max_streams_oversight", &h->max_streams_oversight, 0, 100'000));
  CONSENTD_RETURN_IF_ERROR(f.Integer("max_batch", &h->max_batch, 1, 100'000));
  CONSENTD_RETURN_IF_ERROR(f.Integer("rate_limit_per_s", &h->rate_limit_per_s, 1, 10'000'000));
  CONSENTD_RETURN_IF_ERROR(f.Integer("rate_limit_burst", &h->rate_limit_burst, 1, 10'000'000));
  CONSENTD_RETURN_IF_ERROR(f.Integer("read_timeout_ms", &h->read_timeout_ms, 100, 3'600'000));
  CONSENTD_RETURN_IF_ERROR(f.Integer("write_timeout_ms", &h->write_timeout_ms, 100, 3'600'000));
  CONSENTD_RETURN_IF_ERROR(f.Integer("max_wait_ms", &h->max_wait_ms, 100, 3'600'000));
  CONSENTD_RETURN_IF_ERROR(f.String("ui_dir", &h->ui_dir));
  CONSENTD_RETURN_IF_ERROR(f.String("tokens_file", &h->tokens_file));
  if (const Json* tokens = f.Get("tokens")) {
    if (!tokens->is_array()) return Invalid("http.tokens", "must be an array");
    for (std::size_t i = 0; i < tokens->size(); ++i) {
      CONSENTD_ASSIGN_OR_RETURN(
          ApiToken t, ParseApiToken((*tokens)[i], "http.tokens[" + std::to_string(i) + "]", false));
      h->tokens.push_back(std::move(t));
    }
    CONSENTD_ASSIGN_OR_RETURN(h->tokens, MergeTokens(std::move(h->tokens), {}));
  }
  return f.Done();
}

}  // namespace

Result<HostPort> ParseHostPort(std::string_view text, std::string_view field) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return Invalid(field, "must be \"host:port\", got \"" + std::string(text.substr(0, 64)) + "\"");
  }
  unsigned port = 0;
  const std::string_view p = text.substr(colon + 1);
  const auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), port);
  if (ec != std::errc() || end != p.data() + p.size() || port == 0 || port > 65535) {
    return Invalid(field, "port must be 1-65535");
  }
  return HostPort{std::string(text.substr(0, colon)), static_cast<std::uint16_t>(port)};
}

std::string Config::Path(const std::string& relative) const {
  if (!relative.empty() && relative[0] == '/') return relative;
  return home + "/" + relative;
}

Result<Config> Config::Parse(std::string_view text, const std::string& home) {
  auto json = ParseJson(text);
  if (!json.ok())
    return Status::Error(Reason::kConfigInvalid, "config.json: " + json.status().ToString());
  if (!json->is_object()) return Invalid("config", "must be a JSON object");
  Config c;
  c.home = home;
  Fields f(*json, "");
  CONSENTD_RETURN_IF_ERROR(f.String("genesis_file", &c.genesis_file));
  CONSENTD_RETURN_IF_ERROR(f.String("node_key_file", &c.node_key_file));
  CONSENTD_RETURN_IF_ERROR(f.String("key_passphrase_env", &c.key_passphrase_env));
  CONSENTD_RETURN_IF_ERROR(f.String("data_dir", &c.data_dir));
  if (const Json* p = f.Get("p2p")) CONSENTD_RETURN_IF_ERROR(ParseP2p(*p, &c.p2p));
  if (const Json* h = f.Get("http")) CONSENTD_RETURN_IF_ERROR(ParseHttp(*h, &c.http));
  if (const Json* m = f.Get("mempool")) {
    if (!m->is_object()) return Invalid("mempool", "must be an object");
    Fields mf(*m, "mempool");
    CONSENTD_RETURN_IF_ERROR(mf.Integer("max_txs", &c.mempool.max_txs, 1, 10'000'000));
    CONSENTD_RETURN_IF_ERROR(mf.Integer("max_bytes", &c.mempool.max_bytes, 1 << 16, 1LL << 36));
    CONSENTD_RETURN_IF_ERROR(mf.Done());
  }
  if (const Json* s = f.Get("storage")) {
    if (!s->is_object()) return Invalid("storage", "must be an object");
    Fields sf(*s, "storage");
    CONSENTD_RETURN_IF_ERROR(sf.Bool("verify_on_start", &c.storage.verify_on_start));
    CONSENTD_RETURN_IF_ERROR(sf.Integer("background_nice", &c.storage.background_nice, 0, 19));
    CONSENTD_RETURN_IF_ERROR(sf.Done());
  }
  if (const Json* l = f.Get("log")) {
    if (!l->is_object()) return Invalid("log", "must be an object");
    Fields lf(*l, "log");
    CONSENTD_RETURN_IF_ERROR(lf.String("level", &c.log.level));
    if (c.log.level != "debug" && c.log.level != "info" && c.log.level != "warn" &&
        c.log.level != "error") {
      return Invalid("log.level", "must be debug, info, warn or error");
    }
    CONSENTD_RETURN_IF_ERROR(lf.String("file", &c.log.file));
    CONSENTD_RETURN_IF_ERROR(lf.Done());
  }
  CONSENTD_RETURN_IF_ERROR(f.Done());
  if (c.genesis_file.empty()) return Invalid("genesis_file", "must not be empty");
  if (c.node_key_file.empty()) return Invalid("node_key_file", "must not be empty");
  if (c.data_dir.empty()) return Invalid("data_dir", "must not be empty");
  return c;
}

Result<ledger::Genesis> Config::LoadGenesis(Env* env) const {
  const std::string path = GenesisPath();
  auto text = env->ReadFile(path, 16 << 20);
  if (!text.ok()) {
    return Status::Error(Reason::kGenesisUnreadable,
                         "cannot read genesis file " + path + " (" + text.status().message() + ")");
  }
  auto genesis = ledger::Genesis::Parse(*text);
  if (!genesis.ok()) return genesis.status().WithContext(path);
  return genesis;
}

Result<Config> Config::Load(const std::string& home, Env* env) {
  const std::string path = home + "/config.json";
  auto text = env->ReadFile(path, 1 << 20);
  if (!text.ok()) {
    return Status::Error(Reason::kConfigMissing,
                         "cannot read " + path + " (" + text.status().message() + ")");
  }
  return Parse(*text, home);
}

}  // namespace consentd::node
