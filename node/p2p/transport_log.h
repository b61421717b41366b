#pragma once

// Log lines of the transport: one line per event, "p2p event=<name> key=value ...". Values that
// may contain spaces are quoted; peer-supplied text is reduced to printable ASCII first. No
// payload byte is ever logged.

#include <string>
#include <string_view>

#include "crypto/schnorr.h"
#include "node/p2p/transport.h"

namespace consentd::node::p2p {

class TransportLog {
 public:
  explicit TransportLog(LogSink sink) : sink_(std::move(sink)) {}

  void Debug(const std::string& line) const { Emit("debug", line); }
  void Info(const std::string& line) const { Emit("info", line); }
  void Warn(const std::string& line) const { Emit("warn", line); }
  void Error(const std::string& line) const { Emit("error", line); }

 private:
  void Emit(std::string_view level, const std::string& line) const {
    if (sink_) sink_(level, line);
  }

  LogSink sink_;
};

// The first 16 hex digits of a key: enough to tell validators apart in a log.
std::string ShortKey(const crypto::PublicKey& key);

// `text` in double quotes, with quotes, backslashes and non-printable bytes replaced by '?'
// and cut at 120 characters.
std::string Quote(std::string_view text);

}  // namespace consentd::node::p2p
