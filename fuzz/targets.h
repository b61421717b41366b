#pragma once

// The fuzz targets of issue 8 ("Hostile input"): one plain function per untrusted-input surface,
// so the same code runs under libFuzzer (fuzz/*_fuzzer.cc, built with CONSENTD_FUZZ and run by
// scripts/fuzz) and under GoogleTest (fuzz/fuzz_regression_test.cc replays the committed seed
// corpus and every regression input in the normal sanitizer build).
//
// Each function accepts any bytes. Rejecting an input is normal; what must never happen is a
// crash, a sanitizer report, or a broken invariant of ours (a round trip that changes the bytes,
// a verdict that depends on how the input was handed over). Broken invariants abort through
// FuzzCheck, so libFuzzer records the input as a crash artifact. docs/FUZZING.md has the
// details.

#include <cstdint>
#include <span>
#include <string_view>

namespace consentd::fuzz {

// The chain id the tx and frame targets judge inputs against (the seed corpus is signed for it).
inline constexpr std::string_view kFuzzChainId = "fuzz-chain";

// ParseJson (common/json.h): when it accepts, the canonical form parses to the same value and
// re-serialises to the same bytes; tighter limits never accept what the defaults refuse.
void FuzzCanonicalJson(std::span<const std::uint8_t> data);

// Tx::Parse (ledger/tx.h) for kFuzzChainId, i.e. every stateless admission check: envelope and
// body schema, vocabulary, size, signatures. An accepted tx re-parses from its canonical form to
// the same id, sign hash and leaf, and ParseCommitted agrees.
void FuzzTx(std::span<const std::uint8_t> data);

// A peer frame, [kind u8][payload]: the transport's Hello/Auth (node/p2p/wire.h) and the node's
// consensus, tx and sync messages (node/wire.h), including the block payloads they carry
// (ledger::DecodeBlock). Whatever decodes re-encodes and decodes to an equal value.
void FuzzPeerFrame(std::span<const std::uint8_t> data);

// VerifyReceiptText (wallet/receipt_verify.h) against the trust anchor of
// tests/fixtures/receipts: the verdict is the same from text and from the parsed value, and
// an accepted receipt still verifies from its canonical form.
void FuzzReceipt(std::span<const std::uint8_t> data);

// ParseRequestSignature (wallet/request_signature.h), a customer's Authorization header: a
// refusal is auth_malformed; an accepted header prints back to its own bytes (one spelling per
// value), and a signature that verifies for the fixture request of
// tests/fixtures/request_signature does not verify for another method.
void FuzzRequestSignature(std::span<const std::uint8_t> data);

// Aborts (a libFuzzer crash) when one of our invariants does not hold. Not for input checks.
void FuzzCheck(bool condition, const char* what);

}  // namespace consentd::fuzz
