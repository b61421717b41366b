#pragma once

// Structured one-line logs: `<UTC time> <LEVEL> <component> key=value ...`, one line per
// event, written whole (a line never interleaves with another). Values with spaces or quotes
// are quoted. Request bodies, tokens and key material never reach a log line: callers pass
// only identifiers and counts.
//
// Thread-safe.

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "node/env.h"

namespace consentd::node {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

// "debug", "info", "warn", "error"; nullopt otherwise.
std::optional<LogLevel> ParseLogLevel(std::string_view name);

struct LogField {
  LogField(std::string_view k, std::string_view v) : key(k), value(v) {}
  LogField(std::string_view k, const std::string& v) : key(k), value(v) {}
  LogField(std::string_view k, const char* v) : key(k), value(v) {}
  template <typename Int, typename = std::enable_if_t<std::is_arithmetic_v<Int>>>
  LogField(std::string_view k, Int v) : key(k), owned(std::to_string(v)), value(owned) {}
  std::string_view key;
  std::string owned;
  std::string_view value;
};

class Logger {
 public:
  // Where lines go: stderr by default, or a file opened in append mode. Errors are reported
  // on stderr once; logging never throws or stops the node.
  static void SetLevel(LogLevel level);
  static LogLevel level();
  // Opens `path` for appending through the Env (ScopedLogEnv; Env::Default() unless set).
  static bool OpenFile(const std::string& path);
  static void Log(LogLevel level, std::string_view component, std::string_view event,
                  std::initializer_list<LogField> fields = {});
  // A line already formatted as "component key=value ..." (from the peer transport).
  static void LogLine(LogLevel level, std::string_view text);
  static bool Enabled(LogLevel level) { return level >= Logger::level(); }
};

// The clock that stamps each log line and the Env that opens the log file, for a scope (a
// simulation's run; Env::Default() outside any): the Env before it is back at its end. `env`
// must outlive the scope.
class ScopedLogEnv {
 public:
  explicit ScopedLogEnv(Env* env);
  ~ScopedLogEnv();
  ScopedLogEnv(const ScopedLogEnv&) = delete;
  ScopedLogEnv& operator=(const ScopedLogEnv&) = delete;

 private:
  Env* previous_;
};

inline void LogDebug(std::string_view c, std::string_view e,
                     std::initializer_list<LogField> f = {}) {
  if (Logger::Enabled(LogLevel::kDebug)) Logger::Log(LogLevel::kDebug, c, e, f);
}
inline void LogInfo(std::string_view c, std::string_view e,
                    std::initializer_list<LogField> f = {}) {
  Logger::Log(LogLevel::kInfo, c, e, f);
}
inline void LogWarn(std::string_view c, std::string_view e,
                    std::initializer_list<LogField> f = {}) {
  Logger::Log(LogLevel::kWarn, c, e, f);
}
inline void LogError(std::string_view c, std::string_view e,
                     std::initializer_list<LogField> f = {}) {
  Logger::Log(LogLevel::kError, c, e, f);
}

}  // namespace consentd::node
