#include "crypto/sha256.h"

#include <openssl/evp.h>

#include <cstdlib>

namespace consentd::crypto {
namespace {

const EVP_MD* Sha256Md() {
  // Fetched once; EVP_MD_fetch avoids the implicit fetch that EVP_sha256() costs on every init.
  static EVP_MD* md = [] {
    EVP_MD* m = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (m == nullptr) std::abort();  // OpenSSL without SHA-256: nothing can work
    return m;
  }();
  return md;
}

struct CtxDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using CtxPtr = std::unique_ptr<EVP_MD_CTX, CtxDeleter>;

CtxPtr NewCtx() {
  CtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestInit_ex(ctx.get(), Sha256Md(), nullptr) != 1) std::abort();
  return ctx;
}

}  // namespace

struct Sha256Hasher::Impl {
  CtxPtr ctx = NewCtx();
};

Sha256Hasher::Sha256Hasher() : impl_(std::make_unique<Impl>()) {}
Sha256Hasher::~Sha256Hasher() = default;

Sha256Hasher& Sha256Hasher::Update(ByteSpan data) {
  EVP_DigestUpdate(impl_->ctx.get(), data.data(), data.size());
  return *this;
}

Hash256 Sha256Hasher::Finish() {
  Hash256 out{};
  unsigned int len = 0;
  EVP_DigestFinal_ex(impl_->ctx.get(), out.data(), &len);
  EVP_DigestInit_ex(impl_->ctx.get(), Sha256Md(), nullptr);
  return out;
}

void Sha256Hasher::CopyStateFrom(const Sha256Hasher& other) {
  EVP_MD_CTX_copy_ex(impl_->ctx.get(), other.impl_->ctx.get());
}

Hash256 Sha256(ByteSpan data) {
  thread_local Sha256Hasher hasher;
  return hasher.Update(data).Finish();
}

}  // namespace consentd::crypto
