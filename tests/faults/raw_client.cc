#include "tests/faults/raw_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>

#include "common/file_util.h"
#include "common/json.h"
#include "crypto/random.h"
#include "node/p2p/wire.h"

namespace consentd::testing {

std::int64_t MonoMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

RawSocket::~RawSocket() { Close(); }

bool RawSocket::Connect(int port, const char* source) {
  Close();
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return false;
  timeval tv{5, 0};  // bounds connect() and every send()
  ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  const int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  if (source != nullptr) {
    sockaddr_in from{};
    from.sin_family = AF_INET;
    if (::inet_pton(AF_INET, source, &from.sin_addr) != 1 ||
        ::bind(fd_, reinterpret_cast<sockaddr*>(&from), sizeof(from)) != 0) {
      Close();
      return false;
    }
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    Close();
    return false;
  }
  return true;
}

int RawSocket::local_port() const {
  sockaddr_in addr{};
  socklen_t len = sizeof(addr);
  if (fd_ < 0 || ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return 0;
  return ntohs(addr.sin_port);
}

bool RawSocket::Send(std::string_view bytes) {
  while (fd_ >= 0 && !bytes.empty()) {
    const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return fd_ >= 0;
}

void RawSocket::ShutdownWrite() {
  if (fd_ >= 0) ::shutdown(fd_, SHUT_WR);
}

void RawSocket::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

RawSocket::End RawSocket::ReadUntil(std::string& out, std::int64_t deadline_ms,
                                    std::size_t max_bytes, bool (*done)(const std::string&)) {
  if (fd_ < 0) return End::kClosed;
  char buf[16384];
  while (out.size() < max_bytes && !(done && done(out))) {
    const std::int64_t left = deadline_ms - MonoMs();
    if (left <= 0) return End::kOpen;
    pollfd p{fd_, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(left));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return End::kOpen;
    const ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return End::kClosed;  // EOF, or a reset
    out.append(buf, static_cast<std::size_t>(n));
  }
  return End::kOpen;
}

namespace {

// Parses one response at `pos`: its status, and the position after it; nullopt if incomplete
// or not a response.
std::optional<std::pair<int, std::size_t>> ParseOneResponse(std::string_view bytes, std::size_t pos,
                                                            std::string* body) {
  const std::size_t head_end = bytes.find("\r\n\r\n", pos);
  if (head_end == std::string_view::npos) return std::nullopt;
  const std::string_view head = bytes.substr(pos, head_end - pos);
  if (head.size() < 12 || head.substr(0, 5) != "HTTP/") return std::nullopt;
  const std::size_t sp = head.find(' ');
  if (sp == std::string_view::npos || sp + 4 > head.size()) return std::nullopt;
  int status = 0;
  for (std::size_t i = sp + 1; i < sp + 4; ++i) {
    if (head[i] < '0' || head[i] > '9') return std::nullopt;
    status = status * 10 + (head[i] - '0');
  }
  std::size_t length = 0;
  for (std::size_t line = head.find("\r\n"); line != std::string_view::npos;) {
    const std::size_t next = head.find("\r\n", line + 2);
    std::string name(
        head.substr(line + 2, (next == std::string_view::npos ? head.size() : next) - (line + 2)));
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (name.rfind("content-length:", 0) == 0) {
      length = std::strtoull(name.c_str() + 15, nullptr, 10);
    }
    if (name.rfind("transfer-encoding:", 0) == 0) return std::nullopt;  // not expected here
    line = next;
  }
  const std::size_t body_start = head_end + 4;
  if (bytes.size() < body_start + length) return std::nullopt;
  if (body != nullptr) *body = std::string(bytes.substr(body_start, length));
  return std::make_pair(status, body_start + length);
}

}  // namespace

HttpResponses ParseHttpResponses(std::string_view bytes) {
  HttpResponses out;
  std::size_t pos = 0;
  while (pos < bytes.size()) {
    std::string body;
    auto one = ParseOneResponse(bytes, pos, &body);
    if (!one) {
      const std::string_view tail = bytes.substr(pos);
      constexpr std::string_view kLine = "HTTP/1.1 ";
      int status = 0;
      for (std::size_t i = kLine.size(); i < kLine.size() + 3 && i < tail.size(); ++i) {
        status = tail[i] >= '0' && tail[i] <= '9' ? status * 10 + (tail[i] - '0') : -1000;
      }
      if (tail.substr(0, std::min(tail.size(), kLine.size())) != kLine.substr(0, tail.size()) ||
          status < 0) {
        out.complete = false;
      } else if (tail.size() >= kLine.size() + 3) {
        out.statuses.push_back(status);
        out.bodies.emplace_back();
      }
      break;
    }
    pos = one->second;
    if (one->first >= 100 && one->first < 200) continue;  // 100 Continue is interim
    out.statuses.push_back(one->first);
    out.bodies.push_back(std::move(body));
  }
  return out;
}

bool HasHttpResponse(const std::string& bytes) {
  auto r = ParseHttpResponses(bytes);
  return !r.statuses.empty();
}

std::string WsFrame(std::uint8_t opcode, std::string_view payload, WsFrameOptions options) {
  std::string f;
  f.push_back(
      static_cast<char>((options.fin ? 0x80 : 0) | ((options.rsv & 7) << 4) | (opcode & 0x0f)));
  const std::uint64_t len = options.claimed_length.value_or(payload.size());
  const std::uint8_t mask_bit = options.mask ? 0x80 : 0;
  if (len < 126) {
    f.push_back(static_cast<char>(mask_bit | len));
  } else if (len <= 0xffff) {
    f.push_back(static_cast<char>(mask_bit | 126));
    f.push_back(static_cast<char>(len >> 8));
    f.push_back(static_cast<char>(len));
  } else {
    f.push_back(static_cast<char>(mask_bit | 127));
    for (int i = 7; i >= 0; --i) f.push_back(static_cast<char>(len >> (8 * i)));
  }
  const char mask[4] = {'\x3a', '\x5c', '\x17', '\xe1'};
  if (options.mask) f.append(mask, 4);
  for (std::size_t i = 0; i < payload.size(); ++i) {
    f.push_back(options.mask ? static_cast<char>(payload[i] ^ mask[i % 4]) : payload[i]);
  }
  return f;
}

std::string WsUpgradeRequest(int port) {
  return "GET /consentd/p2p/v1 HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
         "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
         "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
         "User-Agent: consentd-faults\r\n\r\n";
}

bool RawPeer::Open(int port) {
  if (!socket_.Connect(port)) return false;
  if (!socket_.Send(WsUpgradeRequest(port))) return false;
  std::string reply;
  socket_.ReadUntil(reply, MonoMs() + 10'000, 1 << 16,
                    [](const std::string& b) { return b.find("\r\n\r\n") != std::string::npos; });
  const std::size_t end = reply.find("\r\n\r\n");
  if (end == std::string::npos || reply.rfind("HTTP/1.1 101", 0) != 0) return false;
  buffer_ = reply.substr(end + 4);  // a frame may follow the upgrade in the same read
  return true;
}

bool RawPeer::ParseOne(WsMessage* out) {
  if (buffer_.size() < 2) return false;
  const auto b0 = static_cast<std::uint8_t>(buffer_[0]);
  const auto b1 = static_cast<std::uint8_t>(buffer_[1]);
  std::size_t pos = 2;
  std::uint64_t len = b1 & 0x7f;
  if (len == 126 || len == 127) {
    const std::size_t n = len == 126 ? 2 : 8;
    if (buffer_.size() < pos + n) return false;
    len = 0;
    for (std::size_t i = 0; i < n; ++i)
      len = (len << 8) | static_cast<std::uint8_t>(buffer_[pos + i]);
    pos += n;
  }
  if (b1 & 0x80) pos += 4;  // a server never masks; tolerate it anyway
  if (buffer_.size() < pos + len) return false;
  out->opcode = b0 & 0x0f;
  out->payload = buffer_.substr(pos, len);
  buffer_.erase(0, pos + len);
  return true;
}

std::optional<WsMessage> RawPeer::Next(std::int64_t timeout_ms) {
  const std::int64_t deadline = MonoMs() + timeout_ms;
  for (;;) {
    WsMessage m;
    while (ParseOne(&m)) {
      if (m.opcode == kWsClose) {
        if (m.payload.size() >= 2) {
          close_code_ = (static_cast<std::uint8_t>(m.payload[0]) << 8) |
                        static_cast<std::uint8_t>(m.payload[1]);
          close_reason_ = m.payload.substr(2);
        }
        continue;  // the TCP close follows
      }
      if (m.opcode == kWsPing || m.opcode == 10) continue;  // ping, pong
      received_.push_back(m);
      return m;
    }
    if (closed_) return std::nullopt;
    const std::size_t before = buffer_.size();
    if (socket_.ReadUntil(buffer_, deadline, buffer_.size() + 1) == RawSocket::End::kClosed) {
      closed_ = true;  // parse what arrived with the EOF, then report the end
    } else if (buffer_.size() == before) {
      return std::nullopt;  // deadline
    }
  }
}

bool RawPeer::WaitClosed(std::int64_t timeout_ms) {
  const std::int64_t deadline = MonoMs() + timeout_ms;
  while (!closed_ && MonoMs() < deadline) Next(deadline - MonoMs());
  return closed_;
}

std::optional<std::string> RawPeer::HandshakeClaiming(const crypto::PublicKeyBytes& claimed_key,
                                                      const crypto::PrivateKey& signer,
                                                      const std::string& chain_id) {
  node::p2p::Hello ours;
  ours.chain_id = chain_id;
  ours.key = claimed_key;
  (void)crypto::RandomBytes(ours.nonce);
  if (!SendBinary(node::p2p::EncodeHello(ours))) return std::nullopt;
  auto theirs_frame = Next(10'000);
  if (!theirs_frame || theirs_frame->payload.empty() || theirs_frame->payload[0] != 0) {
    return std::nullopt;
  }
  const std::string& p = theirs_frame->payload;
  auto theirs =
      node::p2p::DecodeHello(ByteSpan(reinterpret_cast<const std::uint8_t*>(p.data()), p.size()));
  if (!theirs.ok()) return std::nullopt;
  const node::p2p::AuthContext ctx{
      node::p2p::Role::kDialer, chain_id, theirs->nonce, ours.nonce, ours.key, theirs->key};
  SendBinary(node::p2p::EncodeAuth(signer.Sign(node::p2p::AuthDigest(ctx))));
  return p;
}

bool RawPeer::GotNodeFrame() const {
  for (const WsMessage& m : received_) {
    if (!m.payload.empty() && static_cast<std::uint8_t>(m.payload[0]) >= 16) return true;
  }
  return false;
}

int PeerPortOf(const std::string& home) {
  auto text = ReadFile(home + "/config.json");
  if (!text.ok()) return 0;
  auto config = ParseJson(*text);
  if (!config.ok()) return 0;
  const std::string listen = (*config)["p2p"].value("listen", "");
  const std::size_t colon = listen.rfind(':');
  return colon == std::string::npos ? 0 : std::atoi(listen.c_str() + colon + 1);
}

}  // namespace consentd::testing
