#include "node/metrics.h"

#include <cmath>
#include <cstdio>

namespace consentd::node {
namespace {

std::string Number(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f", v);
    return buf;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

void Header(std::string& out, const std::string& name, const std::string& help, const char* type) {
  out += "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

}  // namespace

std::string RenderLabels(const Labels& labels) {
  if (labels.empty()) return "";
  std::string out = "{";
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (i) out += ',';
    out += labels[i].first + "=\"";
    for (char c : labels[i].second) {
      if (c == '\\' || c == '"') {
        out += '\\';
        out += c;
      } else if (c == '\n') {
        out += "\\n";
      } else {
        out += c;
      }
    }
    out += '"';
  }
  return out + "}";
}

const std::vector<double>& Metrics::Buckets() {
  static const std::vector<double> kBuckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                                               1,     2.5,  5,     10,   30,  60};
  return kBuckets;
}

void Metrics::Count(const std::string& name, const std::string& help, const Labels& labels,
                    std::uint64_t n) {
  const std::string key = RenderLabels(labels);
  std::lock_guard<std::mutex> lock(mu_);
  Counter& c = counters_[name];
  if (c.help.empty()) c.help = help;
  c.series[key] += n;
}

void Metrics::Observe(const std::string& name, const std::string& help, double seconds) {
  const auto& bounds = Buckets();
  std::lock_guard<std::mutex> lock(mu_);
  Histogram& h = histograms_[name];
  if (h.help.empty()) {
    h.help = help;
    h.buckets.assign(bounds.size(), 0);
  }
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    if (seconds <= bounds[i]) {
      ++h.buckets[i];
      break;
    }
  }
  ++h.count;
  h.sum += seconds;
}

std::uint64_t Metrics::CounterValue(const std::string& name, const Labels& labels) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = counters_.find(name);
  if (it == counters_.end()) return 0;
  auto s = it->second.series.find(RenderLabels(labels));
  return s == it->second.series.end() ? 0 : s->second;
}

std::string Metrics::Render(const std::vector<Gauge>& gauges) const {
  std::string out;
  std::string last;
  for (const Gauge& g : gauges) {
    if (g.name != last) Header(out, g.name, g.help, g.type);
    last = g.name;
    out += g.name + RenderLabels(g.labels) + " " + Number(g.value) + "\n";
  }
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [name, c] : counters_) {
    Header(out, name, c.help, "counter");
    for (const auto& [labels, value] : c.series) {
      out += name + labels + " " + std::to_string(value) + "\n";
    }
  }
  const auto& bounds = Buckets();
  for (const auto& [name, h] : histograms_) {
    Header(out, name, h.help, "histogram");
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < bounds.size(); ++i) {
      cumulative += h.buckets[i];
      out +=
          name + "_bucket{le=\"" + Number(bounds[i]) + "\"} " + std::to_string(cumulative) + "\n";
    }
    out += name + "_bucket{le=\"+Inf\"} " + std::to_string(h.count) + "\n";
    out += name + "_sum " + Number(h.sum) + "\n";
    out += name + "_count " + std::to_string(h.count) + "\n";
  }
  return out;
}

}  // namespace consentd::node
