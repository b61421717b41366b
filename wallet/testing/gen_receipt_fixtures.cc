// gen_receipt_fixtures DIR: writes the shared receipt fixtures (wallet/testing/receipt_fixtures.h)
// into DIR, normally tests/fixtures/receipts.

#include <cstdio>
#include <filesystem>

#include "common/file_util.h"
#include "wallet/testing/receipt_fixtures.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fputs("usage: gen_receipt_fixtures DIR\n", stderr);
    return 2;
  }
  auto files = consentd::wallet::testing::GenerateReceiptFixtures();
  if (!files.ok()) {
    std::fprintf(stderr, "gen_receipt_fixtures: %s\n", files.status().ToString().c_str());
    return 1;
  }
  std::error_code ec;
  std::filesystem::create_directories(argv[1], ec);
  for (const auto& [name, text] : *files) {
    const std::string path = (std::filesystem::path(argv[1]) / name).string();
    consentd::Status st = consentd::WriteFileAtomic(path, text);
    if (!st.ok()) {
      std::fprintf(stderr, "gen_receipt_fixtures: %s\n", st.ToString().c_str());
      return 1;
    }
  }
  std::printf("wrote %zu files to %s\n", files->size(), argv[1]);
  return 0;
}
