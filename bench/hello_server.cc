// The ceiling for the HTTP benchmark: a cpp-httplib server that answers every GET with a small
// JSON body, tuned exactly as the node's API server (TCP_NODELAY, long keep-alive, a thread
// pool of the same size). Not a test.
//
//   consentd_bench_hello [--port P] [--threads T]

#include <httplib.h>

#include <csignal>
#include <cstring>
#include <string>

int main(int argc, char** argv) {
  int port = 8799;
  unsigned threads = 32;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--port")) port = std::stoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--threads")) threads = static_cast<unsigned>(std::stoi(argv[i + 1]));
  }
  httplib::Server server;
  server.set_tcp_nodelay(true);
  server.set_keep_alive_max_count(100000);
  server.set_keep_alive_timeout(30);
  server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server.Get(R"(/.*)", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("{\"hello\":\"world\"}", "application/json");
  });
  return server.listen("127.0.0.1", port) ? 0 : 1;
}
