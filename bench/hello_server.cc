// The ceiling for the HTTP benchmark: a cpp-httplib server that answers every GET with a small
// JSON body, tuned exactly as the node's API server (TCP_NODELAY, long keep-alive, a thread
// pool of the same size). Not a test.
//
//   consentd_bench_hello [--port P] [--threads T]

#include <httplib.h>

#include <cstdint>

#include "bench/bench_args.h"

int main(int argc, char** argv) {
  std::uint64_t port = 8799;
  std::uint64_t threads = 32;
  const int done = consentd::bench::ParseFlags(
      argc, argv, "consentd_bench_hello",
      "usage: consentd_bench_hello [--port P] [--threads T]\n"
      "  A cpp-httplib server on 127.0.0.1:P (default 8799) with T worker threads (default 32)\n"
      "  answering every GET with a small JSON body: the HTTP benchmark's ceiling.\n",
      {{"--port", nullptr, &port, 1, 65535}, {"--threads", nullptr, &threads, 1, 4096}});
  if (done >= 0) return done;
  httplib::Server server;
  server.set_tcp_nodelay(true);
  server.set_keep_alive_max_count(100000);
  server.set_keep_alive_timeout(30);
  const auto pool = static_cast<unsigned>(threads);
  server.new_task_queue = [pool] { return new httplib::ThreadPool(pool); };
  server.Get(R"(/.*)", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("{\"hello\":\"world\"}", "application/json");
  });
  return server.listen("127.0.0.1", static_cast<int>(port)) ? 0 : 1;
}
