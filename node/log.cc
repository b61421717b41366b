#include "node/log.h"

#include <atomic>
#include <cstdio>
#include <ctime>
#include <memory>
#include <mutex>

namespace consentd::node {
namespace {

std::atomic<LogLevel> g_level{LogLevel::kInfo};
std::atomic<Env*> g_env{nullptr};  // null: Env::Default()
std::mutex g_mu;
// Guarded by g_mu; null: stderr. Not freed at exit: log calls may come from any thread until
// the process ends.
WritableFile* g_out = nullptr;

Env* CurrentEnv() {
  Env* env = g_env.load();
  return env != nullptr ? env : Env::Default();
}

const char* Name(LogLevel l) {
  switch (l) {
    case LogLevel::kDebug:
      return "DEBUG";
    case LogLevel::kInfo:
      return "INFO";
    case LogLevel::kWarn:
      return "WARN";
    case LogLevel::kError:
      return "ERROR";
  }
  return "INFO";
}

bool NeedsQuotes(std::string_view v) {
  if (v.empty()) return true;
  for (char c : v) {
    if (c == ' ' || c == '"' || c == '=' || static_cast<unsigned char>(c) < 0x20) return true;
  }
  return false;
}

void AppendValue(std::string* line, std::string_view v) {
  if (!NeedsQuotes(v)) {
    line->append(v);
    return;
  }
  line->push_back('"');
  for (char c : v) {
    if (c == '"' || c == '\\') {
      line->push_back('\\');
      line->push_back(c);
    } else if (static_cast<unsigned char>(c) < 0x20) {
      line->append("\\x");
      static constexpr char kHex[] = "0123456789abcdef";
      line->push_back(kHex[(c >> 4) & 0xf]);
      line->push_back(kHex[c & 0xf]);
    } else {
      line->push_back(c);
    }
  }
  line->push_back('"');
}

}  // namespace

std::optional<LogLevel> ParseLogLevel(std::string_view name) {
  if (name == "debug") return LogLevel::kDebug;
  if (name == "info") return LogLevel::kInfo;
  if (name == "warn") return LogLevel::kWarn;
  if (name == "error") return LogLevel::kError;
  return std::nullopt;
}

void Logger::SetLevel(LogLevel level) { g_level = level; }
LogLevel Logger::level() { return g_level; }

ScopedLogEnv::ScopedLogEnv(Env* env) : previous_(g_env.exchange(env)) {}
ScopedLogEnv::~ScopedLogEnv() { g_env = previous_; }

bool Logger::OpenFile(const std::string& path) {
  auto file = CurrentEnv()->OpenAppendable(path, 0640);
  if (!file.ok()) return false;
  std::lock_guard<std::mutex> lock(g_mu);
  delete g_out;
  g_out = file->release();
  return true;
}

namespace {
std::string Stamp(LogLevel level) {
  const std::int64_t ms = CurrentEnv()->NowMs();
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char stamp[64];
  std::snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ %s ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms % 1000), Name(level));
  return stamp;
}

void Write(const std::string& line) {
  std::lock_guard<std::mutex> lock(g_mu);
  if (g_out == nullptr || !g_out->Append(line).ok()) {
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fflush(stderr);
  }
}
}  // namespace

void Logger::LogLine(LogLevel level, std::string_view text) {
  if (level < g_level.load()) return;
  std::string line = Stamp(level);
  for (char c : text) line.push_back(c == '\n' ? ' ' : c);
  line.push_back('\n');
  Write(line);
}

void Logger::Log(LogLevel level, std::string_view component, std::string_view event,
                 std::initializer_list<LogField> fields) {
  if (level < g_level.load()) return;
  std::string line = Stamp(level);
  line.reserve(160);
  line.append(component);
  line.append(" event=");
  line.append(event);
  for (const LogField& f : fields) {
    line.push_back(' ');
    line.append(f.key);
    line.push_back('=');
    AppendValue(&line, f.value);
  }
  line.push_back('\n');
  Write(line);
}

}  // namespace consentd::node
