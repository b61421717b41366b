#pragma once

// Status: the outcome of a fallible operation. OK, or a Reason (common/reason.h: one catalogue of
// every code, with its wire string, class and HTTP status) with a human-readable message. Reason
// codes are part of the public interface: the HTTP API and the CLI show them to users, and tests
// assert on them. A Status travels across module boundaries without exceptions.
//
// Thread-safety: a value type; distinct instances may be used from distinct threads.

#include <string>
#include <string_view>
#include <utility>

#include "common/reason.h"

namespace consentd {

class [[nodiscard]] Status {
 public:
  // OK.
  Status() = default;

  static Status Ok() { return Status(); }
  // REQUIRES: reason is not kOk (were it, the Status would say kInternal, never OK).
  static Status Error(Reason reason, std::string message) {
    return Status(reason == Reason::kOk ? Reason::kInternal : reason, std::move(message));
  }

  bool ok() const { return reason_ == Reason::kOk; }
  Reason reason() const { return reason_; }
  // The reason's wire string; empty when ok().
  const std::string& code() const { return ::consentd::ToString(reason_); }
  const std::string& message() const { return message_; }

  // "code: message", or "ok".
  std::string ToString() const {
    if (ok()) return "ok";
    return message_.empty() ? code() : code() + ": " + message_;
  }

  // Prefixes the message with context, keeping the code: "field body.purposes: ...".
  Status WithContext(std::string_view context) const {
    if (ok()) return *this;
    return Status(reason_, std::string(context) + ": " + message_);
  }

  friend bool operator==(const Status& a, const Status& b) = default;

 private:
  Status(Reason reason, std::string message) : reason_(reason), message_(std::move(message)) {}

  Reason reason_ = Reason::kOk;
  std::string message_;
};

}  // namespace consentd

// Returns early from the enclosing function when `expr` yields a non-OK Status.
#define CONSENTD_RETURN_IF_ERROR(expr)                   \
  do {                                                   \
    ::consentd::Status consentd_status_ = (expr);        \
    if (!consentd_status_.ok()) return consentd_status_; \
  } while (false)
