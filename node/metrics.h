#pragma once

// Metrics: the node's counters and histograms, rendered in the Prometheus text format
// (version 0.0.4) for GET /metrics. Gauges that are a read of live state (height, peers,
// mempool) are not stored here: the caller passes them in at render time.
//
// Every metric is a family: a name, a help text, and series keyed by label values. Label values
// come from our own code (route templates, reason codes, status numbers), never from request
// text, so the number of series stays bounded.
//
// Thread-safe.

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace consentd::node {

using Labels = std::vector<std::pair<std::string, std::string>>;

// A value read at render time. `type` is "gauge", or "counter" for a monotonic count kept
// elsewhere (e.g. the transport's frame counters).
struct Gauge {
  std::string name;
  std::string help;
  double value = 0;
  Labels labels = {};
  const char* type = "gauge";
};

class Metrics {
 public:
  // Buckets (seconds) of every histogram: 5 ms .. 60 s.
  static const std::vector<double>& Buckets();

  void Count(const std::string& name, const std::string& help, const Labels& labels = {},
             std::uint64_t n = 1);
  void Observe(const std::string& name, const std::string& help, double seconds);

  std::uint64_t CounterValue(const std::string& name, const Labels& labels = {}) const;

  // The whole exposition: `gauges` first (in order), then counters and histograms by name.
  std::string Render(const std::vector<Gauge>& gauges) const;

 private:
  struct Counter {
    std::string help;
    std::map<std::string, std::uint64_t> series;  // rendered label set -> value
  };
  struct Histogram {
    std::string help;
    std::vector<std::uint64_t> buckets;  // cumulative at render time; per bucket here
    std::uint64_t count = 0;
    double sum = 0;
  };

  mutable std::mutex mu_;
  std::map<std::string, Counter> counters_;
  std::map<std::string, Histogram> histograms_;
};

// `{a="x",b="y"}` with values escaped per the text format ("" for no labels).
std::string RenderLabels(const Labels& labels);

}  // namespace consentd::node
