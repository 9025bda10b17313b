// Errors as values: a small Result<T> (C++20 has no std::expected).
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace gauntlet {

// What kind of failure an Error is: the faces map it to what they answer with (the
// CLI's exit code, later an HTTP status), so call sites need not decide that themselves.
enum class ErrorKind {
  kInternal,     // a fault of gauntlet or of what it runs on (the default)
  kInvalid,      // bad input: a pipeline file, a flag, an argument
  kNotFound,     // no such file, run, job, environment, revision
  kConflict,     // the state forbids it now: a run still running, an environment held
  kUnavailable,  // a resource that may come back: the store locked or unreachable
  kBusy,         // another engine holds it: the workspace's lock, the run to resume
  kStorage,      // what happened could not be recorded (a full disk): stopped, resumable
};

// "internal", "invalid", "not_found", "conflict", "unavailable", "busy", "storage".
const char* ErrorKindName(ErrorKind kind);

// What went wrong, with the context attached where it happened.
struct Error {
  std::string message;
  ErrorKind kind = ErrorKind::kInternal;

  // An error from a failed system call: "what: strerror(err)".
  static Error Errno(const std::string& what, int err);
  static Error Invalid(std::string message) { return {std::move(message), ErrorKind::kInvalid}; }
  static Error NotFound(std::string message) { return {std::move(message), ErrorKind::kNotFound}; }
  static Error Conflict(std::string message) { return {std::move(message), ErrorKind::kConflict}; }
  static Error Unavailable(std::string message) {
    return {std::move(message), ErrorKind::kUnavailable};
  }
  static Error Busy(std::string message) { return {std::move(message), ErrorKind::kBusy}; }
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}  // NOLINT

  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }

  T& value() & { assert(ok()); return std::get<T>(v_); }
  const T& value() const& { assert(ok()); return std::get<T>(v_); }
  T&& value() && { assert(ok()); return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const { assert(!ok()); return std::get<Error>(v_); }

 private:
  std::variant<T, Error> v_;
};

// A Result that carries no value.
using Status = Result<std::monostate>;
inline Status Ok() { return std::monostate{}; }

}  // namespace gauntlet
