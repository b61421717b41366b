// consentctl audit export: the audit log of a height range, streamed to a file.

#include <unistd.h>

#include <cstdio>

#include "cli/commands.h"
#include "common/file_util.h"

namespace consentd::cli {
namespace {

constexpr const char* kHelp =
    R"(consentctl audit export --from H --to H --format ndjson|csv --out FILE
                        [--type TX_TYPE] [--member MEMBER] [--node URL] [--token ...]

Streams the audit log of heights H..H (GET /v1/audit/log?format=...) into FILE, with a
progress line on a terminal (quiet when stderr is piped, or with --quiet). --to defaults to
the node's current height, --from to 1. Needs an auditor or regulator token (insurers see
their own records). FILE is written to FILE.partial first and renamed when complete.
)";

// Counts records (lines) and, for NDJSON, follows the "height" of the last complete record.
class Progress {
 public:
  Progress(bool show, bool ndjson, std::uint64_t from, std::uint64_t to)
      : show_(show), ndjson_(ndjson), from_(from), to_(to) {}

  void Feed(std::string_view data) {
    bytes_ += data.size();
    for (char c : data) {
      if (c == '\n') {
        ++records_;
        if (ndjson_) TrackHeight();
        line_.clear();
      } else if (line_.size() < 65536) {
        line_.push_back(c);
      }
    }
    if (show_ && records_ - last_shown_ >= 200) Show();
  }
  void Done() {
    if (show_) {
      Show();
      std::fputs("\n", stderr);
    }
  }
  std::uint64_t records() const { return records_; }
  std::uint64_t bytes() const { return bytes_; }

 private:
  void TrackHeight() {
    auto j = ParseJson(line_);
    if (j.ok() && j->is_object() && j->contains("height") && (*j)["height"].is_number_integer() &&
        (*j)["height"].get<std::int64_t>() >= 0) {
      height_ = static_cast<std::uint64_t>((*j)["height"].get<std::int64_t>());
    }
  }
  void Show() {
    last_shown_ = records_;
    const std::uint64_t span = to_ >= from_ ? to_ - from_ + 1 : 1;
    const std::uint64_t done = height_ >= from_ ? height_ - from_ + 1 : 0;
    const int pct = ndjson_ && height_ != 0
                        ? static_cast<int>(std::min<std::uint64_t>(100, 100 * done / span))
                        : -1;
    std::string bar;
    if (pct >= 0) {
      bar = "[" + std::string(static_cast<std::size_t>(pct / 4), '#') +
            std::string(static_cast<std::size_t>(25 - pct / 4), ' ') + "] " + std::to_string(pct) +
            "% ";
    }
    std::fprintf(stderr, "\r%s%llu records, %.1f MB", bar.c_str(),
                 static_cast<unsigned long long>(records_), static_cast<double>(bytes_) / 1e6);
    std::fflush(stderr);
  }

  bool show_;
  bool ndjson_;
  std::uint64_t from_;
  std::uint64_t to_;
  std::uint64_t records_ = 0;
  std::uint64_t last_shown_ = 0;
  std::uint64_t bytes_ = 0;
  std::uint64_t height_ = 0;
  std::string line_;
};

Result<std::uint64_t> Height(const Args& a, const std::string& opt) {
  const std::string v = a.Get(opt);
  if (v.empty() || v.size() > 15 || v.find_first_not_of("0123456789") != std::string::npos) {
    return Status::Error(Reason::kUsage, opt + " needs a height (a non-negative integer)");
  }
  return static_cast<std::uint64_t>(std::stoull(v));
}

int Export(const Args& a) {
  constexpr const char* kUsage =
      "consentctl audit export --from H --to H --format ndjson|csv --out FILE";
  if (auto e = CheckArgs(
          a,
          WithNodeOptions({"--from", "--to", "--format", "--out", "--type", "--member", "--quiet"}),
          0, 0, kUsage)) {
    return *e;
  }
  const std::string format = a.Get("--format", "ndjson");
  if (format != "ndjson" && format != "csv") {
    return Fail(kExitUsage, "--format must be ndjson or csv");
  }
  const std::string out = a.Get("--out");
  if (out.empty()) return Fail(kExitUsage, "audit export: --out FILE is required");
  auto client = NodeClient(a);
  if (!client.ok()) return FailStatus(client.status());
  std::uint64_t from = 1;
  if (a.Has("--from")) {
    auto h = Height(a, "--from");
    if (!h.ok()) return FailStatus(h.status());
    from = *h;
  }
  std::uint64_t to = 0;
  if (a.Has("--to")) {
    auto h = Height(a, "--to");
    if (!h.ok()) return FailStatus(h.status());
    to = *h;
  } else {
    auto status = GetJson(*client, "/v1/status");
    if (!status.ok()) return FailStatus(status.status());
    to = status->value("height", std::uint64_t{0});
  }
  if (to < from) return Fail(kExitUsage, "--to is below --from");

  std::string path = "/v1/audit/log?format=" + format + "&from_height=" + std::to_string(from) +
                     "&to_height=" + std::to_string(to);
  if (a.Has("--type")) path += "&type=" + UrlEncode(a.Get("--type"));
  if (a.Has("--member")) path += "&member=" + UrlEncode(a.Get("--member"));

  Progress progress(isatty(STDERR_FILENO) == 1 && !a.Has("--quiet"), format == "ndjson", from, to);
  const Status st =
      client->Download(path, out, [&](std::string_view data) { progress.Feed(data); });
  progress.Done();
  if (!st.ok()) return FailStatus(st);
  if (a.Json()) {
    PrintJson(Json{{"file", out},
                   {"format", format},
                   {"from_height", from},
                   {"to_height", to},
                   {"records", progress.records()},
                   {"bytes", progress.bytes()}});
  } else {
    std::printf("exported heights %llu..%llu: %llu %s to %s\n",
                static_cast<unsigned long long>(from), static_cast<unsigned long long>(to),
                static_cast<unsigned long long>(progress.records()),
                format == "csv" ? "lines (header included)" : "records", out.c_str());
  }
  return kExitOk;
}

}  // namespace

int AuditCommand(const Args& a) { return RunSubcommand(a, "audit", kHelp, {{"export", Export}}); }

}  // namespace consentd::cli
