#pragma once

// Status: the outcome of a fallible operation. OK, or a stable machine-readable reason code
// (lower_snake_case, e.g. "json_duplicate_key") with a human-readable message. Reason codes are
// part of the public interface: the HTTP API and the CLI show them to users, and tests assert
// on them. Modules keep their codes in an `enum class` and convert with a `ToString`, so a
// Status can travel across module boundaries without exceptions.
//
// Thread-safety: a value type; distinct instances may be used from distinct threads.

#include <string>
#include <string_view>
#include <utility>

namespace consentd {

class [[nodiscard]] Status {
 public:
  // OK.
  Status() = default;

  static Status Ok() { return Status(); }
  static Status Error(std::string code, std::string message) {
    return Status(std::move(code), std::move(message));
  }

  bool ok() const { return code_.empty(); }
  // Empty when ok().
  const std::string& code() const { return code_; }
  const std::string& message() const { return message_; }

  // "code: message", or "ok".
  std::string ToString() const {
    if (ok()) return "ok";
    return message_.empty() ? code_ : code_ + ": " + message_;
  }

  // Prefixes the message with context, keeping the code: "field body.purposes: ...".
  Status WithContext(std::string_view context) const {
    if (ok()) return *this;
    return Status(code_, std::string(context) + ": " + message_);
  }

  friend bool operator==(const Status& a, const Status& b) = default;

 private:
  Status(std::string code, std::string message)
      : code_(std::move(code)), message_(std::move(message)) {}

  std::string code_;
  std::string message_;
};

}  // namespace consentd

// Returns early from the enclosing function when `expr` yields a non-OK Status.
#define CONSENTD_RETURN_IF_ERROR(expr)                   \
  do {                                                   \
    ::consentd::Status consentd_status_ = (expr);        \
    if (!consentd_status_.ok()) return consentd_status_; \
  } while (false)
