// The HTTP benchmark's ceiling: a Boost.Beast server that answers every request with a small
// JSON body, built as the node's API server is (asynchronous sessions on an io_context run by a
// fixed set of threads, TCP_NODELAY, keep-alive), with nothing else: no routes, limits,
// authentication or metrics. Not a test.
//
//   consentd_bench_hello_beast [--port P] [--threads T]

// clang-format off
#include <utility>  // first: Boost 1.74's asio uses std::exchange and does not include it
// clang-format on
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

#include "bench/bench_args.h"

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

class Session : public std::enable_shared_from_this<Session> {
 public:
  explicit Session(tcp::socket socket) : stream_(std::move(socket)) {}

  void Read() {
    req_ = {};
    http::async_read(stream_, buffer_, req_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (ec) return self->Close();
                       self->Write();
                     });
  }

 private:
  void Write() {
    res_ = {};
    res_.result(http::status::ok);
    res_.version(req_.version());
    res_.set(http::field::content_type, "application/json");
    res_.body() = "{\"hello\":\"world\"}";
    res_.keep_alive(req_.keep_alive());
    res_.prepare_payload();
    http::async_write(stream_, res_,
                      [self = shared_from_this()](beast::error_code ec, std::size_t) {
                        if (ec || !self->res_.keep_alive()) return self->Close();
                        self->Read();
                      });
  }
  void Close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
  http::response<http::string_body> res_;
};

void Accept(tcp::acceptor& acceptor, net::io_context& ioc) {
  acceptor.async_accept(net::make_strand(ioc), [&](beast::error_code ec, tcp::socket socket) {
    if (!ec) {
      socket.set_option(tcp::no_delay(true), ec);
      std::make_shared<Session>(std::move(socket))->Read();
    }
    Accept(acceptor, ioc);
  });
}

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t port = 8798;
  std::uint64_t threads = 2;
  const int done = consentd::bench::ParseFlags(
      argc, argv, "consentd_bench_hello_beast",
      "usage: consentd_bench_hello_beast [--port P] [--threads T]\n"
      "  A Boost.Beast server on 127.0.0.1:P (default 8798) run by T threads (default 2, the\n"
      "  node's http.threads) answering every request with a small JSON body: the HTTP\n"
      "  benchmark's ceiling.\n",
      {{"--port", nullptr, &port, 1, 65535}, {"--threads", nullptr, &threads, 1, 64}});
  if (done >= 0) return done;
  net::io_context ioc(static_cast<int>(threads));
  tcp::acceptor acceptor(net::make_strand(ioc));
  const tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"),
                               static_cast<unsigned short>(port));
  beast::error_code ec;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return 1;
  Accept(acceptor, ioc);
  std::vector<std::thread> pool;
  for (std::uint64_t i = 1; i < threads; ++i) pool.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
  for (auto& t : pool) t.join();
  return 0;
}
