// Relays on their own: bytes pass, a one-way cut drops one direction only, a delay holds bytes
// back in order, and a partition refuses new connections.

#include "tests/faults/relay.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>

namespace consentd::faults {
namespace {

// A listening socket on an ephemeral loopback port.
struct Listener {
  Listener() {
    fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::listen(fd, 8);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
  }
  ~Listener() { ::close(fd); }
  int Accept() const { return ::accept(fd, nullptr, nullptr); }
  int fd;
  int port;
};

int Dial(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

void Send(int fd, const std::string& s) {
  ASSERT_EQ(::send(fd, s.data(), s.size(), MSG_NOSIGNAL), static_cast<ssize_t>(s.size()));
}

// Reads exactly n bytes or until timeout; "" on EOF, error or timeout.
std::string Read(int fd, std::size_t n, int timeout_ms) {
  std::string out;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (out.size() < n) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                          deadline - std::chrono::steady_clock::now())
                          .count();
    if (left <= 0) return "";
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left)) <= 0) return "";
    char buf[4096];
    const ssize_t got = ::recv(fd, buf, std::min(sizeof buf, n - out.size()), 0);
    if (got <= 0) return "";
    out.append(buf, static_cast<std::size_t>(got));
  }
  return out;
}

// True when the peer closed the connection within the timeout.
bool Closed(int fd, int timeout_ms) {
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, timeout_ms) <= 0) return false;
  char c;
  return ::recv(fd, &c, 1, 0) <= 0;
}

TEST(RelayTest, ForwardsBothWays) {
  Listener target;
  Relays relays(2);
  const int port = relays.Add(0, 1, target.port);
  ASSERT_GT(port, 0);
  const int client = Dial(port);
  ASSERT_GE(client, 0);
  const int server = target.Accept();
  Send(client, "hello");
  EXPECT_EQ(Read(server, 5, 5000), "hello");
  Send(server, "world");
  EXPECT_EQ(Read(client, 5, 5000), "world");
  EXPECT_GE(relays.bytes_forwarded(), 10u);
  ::close(client);
  ::close(server);
}

TEST(RelayTest, OneWayCutDropsOnlyThatDirection) {
  Listener target;
  Relays relays(2);
  const int port = relays.Add(0, 1, target.port);
  relays.Cut(0, 1);  // node0 -> node1 dropped; node1 -> node0 passes
  ASSERT_TRUE(relays.IsCut(0, 1));
  ASSERT_FALSE(relays.IsCut(1, 0));
  const int client = Dial(port);  // node0 dialling node1
  ASSERT_GE(client, 0);
  const int server = target.Accept();
  Send(client, "lost");
  Send(server, "back");
  EXPECT_EQ(Read(client, 4, 5000), "back");
  EXPECT_EQ(Read(server, 4, 300), "") << "bytes crossed a cut link";
  EXPECT_GE(relays.bytes_dropped(), 4u);
  ::close(client);
  ::close(server);
}

TEST(RelayTest, HealingClosesConnectionsThatLostBytes) {
  Listener target;
  Relays relays(2);
  const int port = relays.Add(0, 1, target.port);
  relays.Cut(0, 1);
  const int client = Dial(port);
  const int server = target.Accept();
  Send(client, "lost");
  relays.Heal(0, 1);
  EXPECT_TRUE(Closed(client, 5000)) << "a stream with a hole must not carry on";
  const int again = Dial(port);
  const int server2 = target.Accept();
  Send(again, "fine");
  EXPECT_EQ(Read(server2, 4, 5000), "fine");
  for (int fd : {client, server, again, server2}) ::close(fd);
}

TEST(RelayTest, PartitionRefusesNewConnections) {
  Listener target;
  Relays relays(2);
  const int port = relays.Add(0, 1, target.port);
  relays.Isolate(0);
  const int client = Dial(port);
  ASSERT_GE(client, 0);  // accepted by the relay, then closed
  EXPECT_TRUE(Closed(client, 5000));
  ::close(client);
}

TEST(RelayTest, DelayHoldsBytesInOrder) {
  Listener target;
  Relays relays(2);
  const int port = relays.Add(0, 1, target.port);
  relays.SetDelay(0, 1, 300);
  const int client = Dial(port);
  const int server = target.Accept();
  const auto start = std::chrono::steady_clock::now();
  Send(client, "one");
  Send(client, "two");
  EXPECT_EQ(Read(server, 6, 5000), "onetwo");
  const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::steady_clock::now() - start)
                          .count();
  // The relay must hold the bytes back at least the delay (a lower bound, not a timing target).
  EXPECT_GE(waited, 300);
  ::close(client);
  ::close(server);
}

}  // namespace
}  // namespace consentd::faults
