#include "tests/faults/relay.h"

#include <array>
#include <boost/asio/buffer.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <deque>
#include <list>
#include <string>
#include <thread>
#include <utility>

namespace consentd::faults {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

// Bytes held per direction before the relay stops reading (backpressure, as TCP would).
constexpr std::size_t kMaxQueued = 8 << 20;

}  // namespace

class Relays::Impl {
 public:
  struct Relay;

  // One accepted connection and the one the relay dialled for it. Direction 0 carries bytes
  // from the dialler (relay.from) to the target (relay.to); direction 1 the other way.
  class Session : public std::enable_shared_from_this<Session> {
   public:
    Session(Relays* owner, Relay* relay, tcp::socket client)
        : owner_(owner),
          relay_(relay),
          client_(std::move(client)),
          server_(client_.get_executor()),
          dirs_{Dir(client_.get_executor()), Dir(client_.get_executor())} {}

    void Start(int target_port) {
      auto self = shared_from_this();
      server_.async_connect(
          tcp::endpoint(asio::ip::address_v4::loopback(), static_cast<unsigned short>(target_port)),
          [this, self](const boost::system::error_code& ec) {
            if (ec) return Close();
            Read(0);
            Read(1);
          });
    }

    void Close() {
      if (closed_) return;
      closed_ = true;
      boost::system::error_code ignored;
      client_.close(ignored);
      server_.close(ignored);
      for (Dir& d : dirs_) d.timer.cancel();
    }

   private:
    struct Chunk {
      Clock::time_point due;
      std::string bytes;
    };
    struct Dir {
      explicit Dir(const asio::any_io_executor& ex) : timer(ex) {}
      std::array<char, 64 * 1024> buf{};
      std::deque<Chunk> queue;
      std::size_t queued = 0;
      bool writing = false;
      bool paused = false;
      asio::steady_timer timer;
    };

    tcp::socket& Source(int d) { return d == 0 ? client_ : server_; }
    tcp::socket& Sink(int d) { return d == 0 ? server_ : client_; }
    Link& LinkOf(int d) const {
      return d == 0 ? owner_->link(relay_->from, relay_->to)
                    : owner_->link(relay_->to, relay_->from);
    }

    void Read(int d) {
      auto self = shared_from_this();
      Dir& dir = dirs_[d];
      Source(d).async_read_some(
          asio::buffer(dir.buf),
          [this, self, d](const boost::system::error_code& ec, std::size_t n) {
            if (ec || closed_) return Close();
            Dir& dir = dirs_[d];
            Link& link = LinkOf(d);
            if (link.cut) {
              owner_->dropped_ += n;
            } else {
              const auto due = Clock::now() + std::chrono::milliseconds(link.delay_ms.load());
              dir.queue.push_back(Chunk{due, std::string(dir.buf.data(), n)});
              dir.queued += n;
              Write(d);
            }
            if (dir.queued > kMaxQueued) {
              dir.paused = true;
              return;
            }
            Read(d);
          });
    }

    void Write(int d) {
      Dir& dir = dirs_[d];
      if (dir.writing || dir.queue.empty() || closed_) return;
      auto self = shared_from_this();
      dir.writing = true;
      if (dir.queue.front().due > Clock::now()) {
        dir.timer.expires_at(dir.queue.front().due);
        dir.timer.async_wait([this, self, d](const boost::system::error_code& ec) {
          dirs_[d].writing = false;
          if (ec || closed_) return;
          Write(d);
        });
        return;
      }
      owner_->forwarded_ += dir.queue.front().bytes.size();  // counted as it is handed over
      asio::async_write(Sink(d), asio::buffer(dir.queue.front().bytes),
                        [this, self, d](const boost::system::error_code& ec, std::size_t) {
                          Dir& dir = dirs_[d];
                          dir.writing = false;
                          if (ec || closed_) return Close();
                          dir.queued -= dir.queue.front().bytes.size();
                          dir.queue.pop_front();
                          if (dir.paused && dir.queued < kMaxQueued / 2) {
                            dir.paused = false;
                            Read(d);
                          }
                          Write(d);
                        });
    }

    Relays* owner_;
    Relay* relay_;
    tcp::socket client_;
    tcp::socket server_;
    std::array<Dir, 2> dirs_;
    bool closed_ = false;
  };

  struct Relay {
    Relay(asio::io_context& io, int from_, int to_, int target_)
        : acceptor(io), from(from_), to(to_), target(target_) {}
    tcp::acceptor acceptor;
    int from;
    int to;
    int target;
    std::list<std::weak_ptr<Session>> sessions;
  };

  explicit Impl(Relays* owner) : owner_(owner), guard_(asio::make_work_guard(io_)) {
    thread_ = std::thread([this] { io_.run(); });
  }
  ~Impl() {
    asio::post(io_, [this] {
      for (auto& r : relays_) {
        boost::system::error_code ignored;
        r->acceptor.close(ignored);
        CloseSessions(*r);
      }
    });
    // With the acceptors and sockets closed, every pending handler completes and run() returns.
    guard_.reset();
    thread_.join();
  }

  int Add(int from, int to, int target_port) {
    auto relay = std::make_unique<Relay>(io_, from, to, target_port);
    boost::system::error_code ec;
    const tcp::endpoint ep(asio::ip::address_v4::loopback(), 0);
    relay->acceptor.open(ep.protocol(), ec);
    if (!ec) relay->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) relay->acceptor.bind(ep, ec);
    if (!ec) relay->acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return 0;
    const int port = relay->acceptor.local_endpoint(ec).port();
    if (ec) return 0;
    Relay* r = relay.get();
    relays_.push_back(std::move(relay));
    asio::post(io_, [this, r] { Accept(*r); });
    return port;
  }

  // Closes the live connections of the relays for node a dialling b and b dialling a.
  void Reset(int a, int b) {
    asio::post(io_, [this, a, b] {
      for (auto& r : relays_) {
        if ((r->from == a && r->to == b) || (r->from == b && r->to == a)) CloseSessions(*r);
      }
    });
  }

 private:
  void Accept(Relay& r) {
    r.acceptor.async_accept([this, &r](const boost::system::error_code& ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted || !r.acceptor.is_open()) return;
      if (!ec) {
        ++owner_->connections_;
        if (owner_->link(r.from, r.to).cut && owner_->link(r.to, r.from).cut) {
          boost::system::error_code ignored;
          socket.close(ignored);  // partitioned: refused
        } else {
          auto s = std::make_shared<Session>(owner_, &r, std::move(socket));
          r.sessions.remove_if([](const std::weak_ptr<Session>& w) { return w.expired(); });
          r.sessions.push_back(s);
          s->Start(r.target);
        }
      }
      Accept(r);
    });
  }

  void CloseSessions(Relay& r) {
    for (auto& w : r.sessions) {
      if (auto s = w.lock()) s->Close();
    }
    r.sessions.clear();
  }

  Relays* owner_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> guard_;
  std::vector<std::unique_ptr<Relay>> relays_;  // added before the test starts nodes
  std::thread thread_;
};

Relays::Relays(int nodes)
    : nodes_(nodes),
      links_(std::make_unique<Link[]>(static_cast<std::size_t>(nodes * nodes))),
      impl_(std::make_unique<Impl>(this)) {}

Relays::~Relays() { impl_.reset(); }

int Relays::Add(int from, int to, int target_port) { return impl_->Add(from, to, target_port); }

void Relays::Reset(int a, int b) { impl_->Reset(a, b); }

void Relays::Cut(int from, int to) {
  if (link(from, to).cut.exchange(true)) return;
  Reset(from, to);
}

void Relays::Heal(int from, int to) {
  if (!link(from, to).cut.exchange(false)) return;
  Reset(from, to);
}

void Relays::SetDelay(int from, int to, int delay_ms) { link(from, to).delay_ms = delay_ms; }

void Relays::Isolate(int node) {
  for (int other = 0; other < nodes_; ++other) {
    if (other == node) continue;
    Cut(node, other);
    Cut(other, node);
  }
}

void Relays::HealAll() {
  for (int a = 0; a < nodes_; ++a) {
    for (int b = 0; b < nodes_; ++b) {
      if (a == b) continue;
      Heal(a, b);
      SetDelay(a, b, 0);
    }
  }
}

bool Relays::IsCut(int from, int to) const { return link(from, to).cut; }

}  // namespace consentd::faults
