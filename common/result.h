#pragma once

// Result<T>: either a value of T or a non-OK Status explaining why there is none.
// Accessing value() of an error Result is a programming error (checked by assert), never a
// path for input handling: callers test ok() first.

#include <cassert>
#include <utility>
#include <variant>

#include "common/status.h"

namespace consentd {

template <typename T>
class [[nodiscard]] Result {
 public:
  // Implicit from a value or from an error Status, so `return value;` and `return status;`
  // both work in a function returning Result<T>.
  Result(T value) : data_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
  Result(Status status) : data_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!std::get<Status>(data_).ok() && "Result needs a value or an error");
  }

  bool ok() const { return std::holds_alternative<T>(data_); }

  // OK when a value is held.
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(data_); }

  // REQUIRES: ok().
  const T& value() const& {
    assert(ok());
    return std::get<T>(data_);
  }
  T& value() & {
    assert(ok());
    return std::get<T>(data_);
  }
  T&& value() && {
    assert(ok());
    return std::get<T>(std::move(data_));
  }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

 private:
  std::variant<T, Status> data_;
};

}  // namespace consentd

#define CONSENTD_CONCAT_INNER(a, b) a##b
#define CONSENTD_CONCAT(a, b) CONSENTD_CONCAT_INNER(a, b)

// CONSENTD_ASSIGN_OR_RETURN(auto x, Fallible()); returns the Status on error.
#define CONSENTD_ASSIGN_OR_RETURN(lhs, expr) \
  CONSENTD_ASSIGN_OR_RETURN_IMPL(CONSENTD_CONCAT(consentd_result_, __LINE__), lhs, expr)
#define CONSENTD_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                   \
  if (!tmp.ok()) return tmp.status();                  \
  lhs = std::move(tmp).value()
