// What went wrong on one upstream attempt, as a value: its kind, which side
// caused it, and whether the attempt could in principle be made again. The
// retry policy reads it; the local reply reads the ProxyError it maps to.
#pragma once

#include <cstdint>

#include "proxy/http/local_reply.h"

namespace sluice {

// The steps of an attempt, in order: each names the last one that failed.
enum class ErrorKind : std::uint8_t {
  none,
  connect_failed,         // refused, unreachable
  connect_timeout,        // --upstream-connect-timeout
  dns_failed,             // an ExternalName did not resolve
  write_failed,           // the request (head or body) could not be sent
  reset_before_response,  // reset or EOF before any response byte
  read_timeout,           // no response head within --upstream-read-timeout
  bad_response,           // the response head did not parse
  after_response,         // failed once response bytes reached the client
  downstream,             // the client failed (body timeout, bad body)
};

enum class ErrorSource : std::uint8_t { downstream, upstream, internal };

// any thread (a value)
struct Error {
  ErrorKind kind = ErrorKind::none;
  ErrorSource source = ErrorSource::internal;
  // Nothing of the attempt reached the client, so another attempt is
  // possible; whether it is safe depends on the request (RetryState).
  bool retryable = false;
  // What the local reply says when no attempt succeeds.
  ProxyError reply = ProxyError::none;

  explicit operator bool() const { return kind != ErrorKind::none; }
};

// The classification. The replies keep today's statuses: a connect timeout
// is a 502 like a refusal (nginx says 504; ours never did), a read timeout 504.
constexpr Error classify(ErrorKind kind, ProxyError downstream_reply = ProxyError::bad_request) {
  switch (kind) {
    case ErrorKind::none: return {};
    case ErrorKind::connect_failed:
    case ErrorKind::connect_timeout:
      return {kind, ErrorSource::upstream, true, ProxyError::upstream_connect_failed};
    case ErrorKind::dns_failed: return {kind, ErrorSource::upstream, false, ProxyError::dns_failed};
    case ErrorKind::write_failed:
    case ErrorKind::reset_before_response:
      return {kind, ErrorSource::upstream, true, ProxyError::upstream_reset};
    case ErrorKind::read_timeout: return {kind, ErrorSource::upstream, true, ProxyError::upstream_timeout};
    case ErrorKind::bad_response: return {kind, ErrorSource::upstream, false, ProxyError::upstream_bad_response};
    case ErrorKind::after_response: return {kind, ErrorSource::upstream, false, ProxyError::upstream_reset};
    case ErrorKind::downstream: return {kind, ErrorSource::downstream, false, downstream_reply};
  }
  return {kind, ErrorSource::internal, false, ProxyError::upstream_reset};
}

// Today's relay reports a ProxyError; this says which step it was, given
// whether the backend had sent anything and whether the client had. The
// reply stays the one the relay named, so local replies keep their reasons.
constexpr Error upstream_error(ProxyError e, bool got_bytes, bool response_started) {
  ErrorKind kind = ErrorKind::downstream;
  if (e == ProxyError::none) return {};
  if (response_started) {
    kind = ErrorKind::after_response;
  } else {
    switch (e) {
      case ProxyError::upstream_connect_failed: kind = ErrorKind::connect_failed; break;
      case ProxyError::dns_failed: kind = ErrorKind::dns_failed; break;
      case ProxyError::upstream_timeout: kind = ErrorKind::read_timeout; break;
      case ProxyError::upstream_bad_response: kind = ErrorKind::bad_response; break;
      // A head cut short is a broken response, not a connection that died idle.
      case ProxyError::upstream_reset:
        kind = got_bytes ? ErrorKind::bad_response : ErrorKind::reset_before_response;
        break;
      default: break;
    }
  }
  Error error = classify(kind, e);
  error.reply = e;
  return error;
}

}  // namespace sluice
