#pragma once

// `consentctl testnet`: writes a local network: a genesis file, one home per validator (config,
// node key, genesis copy), member signing keys and API tokens. Keys are written in the
// insecure plaintext form: a local test network is the one place where that is acceptable.

#include <string>

#include "common/json.h"
#include "common/result.h"

namespace consentd::cli {

struct TestnetOptions {
  std::string network_file;  // network-configs/<name>/network.json; empty: generate one
  int validators = 4;        // used without a network file
  std::string chain_id = "local";
  std::string out_dir;
  std::int64_t genesis_time_ms = 0;  // 0: now
};

// The network description for N validators when no file is given.
Json DefaultNetwork(int validators, const std::string& chain_id);

// Errors: "testnet_invalid" naming the field, "testnet_exists" when out_dir already holds a
// network, file errors.
Status WriteTestnet(const TestnetOptions& options, std::string* summary);

}  // namespace consentd::cli
