#include "node/p2p/close_reason.h"

namespace consentd::node::p2p {

const char* ToString(CloseReason reason) {
  switch (reason) {
    case CloseReason::kNone:
      return "none";
    case CloseReason::kRemoteClosed:
      return "remote_closed";
    case CloseReason::kIoError:
      return "io_error";
    case CloseReason::kConnectTimeout:
      return "connect_timeout";
    case CloseReason::kIdleTimeout:
      return "idle_timeout";
    case CloseReason::kSelf:
      return "self";
    case CloseReason::kDuplicate:
      return "duplicate";
    case CloseReason::kTooManyPending:
      return "too_many_pending";
    case CloseReason::kUpgradeFailed:
      return "upgrade_failed";
    case CloseReason::kProtocolError:
      return "protocol_error";
    case CloseReason::kOversizeFrame:
      return "oversize_frame";
    case CloseReason::kTextFrame:
      return "text_frame";
    case CloseReason::kEmptyFrame:
      return "empty_frame";
    case CloseReason::kUnexpectedFrame:
      return "unexpected_frame";
    case CloseReason::kMalformedHello:
      return "malformed_hello";
    case CloseReason::kMalformedAuth:
      return "malformed_auth";
    case CloseReason::kHandshakeTimeout:
      return "handshake_timeout";
    case CloseReason::kVersionMismatch:
      return "version_mismatch";
    case CloseReason::kWrongChain:
      return "wrong_chain";
    case CloseReason::kBadKey:
      return "bad_key";
    case CloseReason::kBadSignature:
      return "bad_signature";
    case CloseReason::kKeyNotAllowed:
      return "key_not_allowed";
  }
  return "unknown";
}

CloseCounter CountedAs(CloseReason reason) {
  switch (reason) {
    case CloseReason::kNone:
    case CloseReason::kRemoteClosed:
    case CloseReason::kIoError:
    case CloseReason::kConnectTimeout:
    case CloseReason::kIdleTimeout:
    case CloseReason::kSelf:
    case CloseReason::kDuplicate:
    case CloseReason::kTooManyPending:
      return CloseCounter::kNone;
    case CloseReason::kUpgradeFailed:
    case CloseReason::kProtocolError:
    case CloseReason::kTextFrame:
    case CloseReason::kEmptyFrame:
    case CloseReason::kUnexpectedFrame:
    case CloseReason::kMalformedHello:
    case CloseReason::kMalformedAuth:
      return CloseCounter::kMalformed;
    case CloseReason::kOversizeFrame:
      return CloseCounter::kOversize;
    case CloseReason::kHandshakeTimeout:
    case CloseReason::kVersionMismatch:
    case CloseReason::kWrongChain:
    case CloseReason::kBadKey:
    case CloseReason::kBadSignature:
      return CloseCounter::kAuthFailure;
    case CloseReason::kKeyNotAllowed:
      return CloseCounter::kUnknownKey;
  }
  return CloseCounter::kNone;
}

}  // namespace consentd::node::p2p
