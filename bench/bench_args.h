// Command-line flags of the bench programs: "--name value" pairs, and --help. Bad input is an
// error message and exit code 2, never an exception.
#pragma once

#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <string>

namespace consentd::bench {

// A flag and where its value goes. A numeric flag takes a whole number in [min, max].
struct Flag {
  const char* name;
  std::string* text = nullptr;
  std::uint64_t* number = nullptr;
  std::uint64_t min = 0;
  std::uint64_t max = UINT64_MAX;
};

// Parses argv into flags. Returns -1 to go on, or the exit code: 0 after printing usage for
// -h or --help, 2 after naming a bad argument on stderr.
inline int ParseFlags(int argc, char** argv, const char* program, const char* usage,
                      std::initializer_list<Flag> flags) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "-h" || arg == "--help") {
      std::fputs(usage, stdout);
      return 0;
    }
    const Flag* flag = nullptr;
    for (const Flag& f : flags) {
      if (arg == f.name) flag = &f;
    }
    if (flag == nullptr) {
      std::fprintf(stderr, "%s: unknown argument %s (see --help)\n", program, arg.c_str());
      return 2;
    }
    if (i + 1 >= argc) {
      std::fprintf(stderr, "%s: %s needs a value (see --help)\n", program, arg.c_str());
      return 2;
    }
    const std::string value = argv[++i];
    if (flag->text != nullptr) {
      *flag->text = value;
      continue;
    }
    std::uint64_t n = 0;
    bool ok = !value.empty() && value.size() <= 19;
    for (char ch : value) ok = ok && ch >= '0' && ch <= '9';
    if (ok) n = std::stoull(value);
    if (!ok || n < flag->min || n > flag->max) {
      std::fprintf(stderr, "%s: %s takes a whole number from %llu to %llu, not \"%s\"\n", program,
                   arg.c_str(), static_cast<unsigned long long>(flag->min),
                   static_cast<unsigned long long>(flag->max), value.c_str());
      return 2;
    }
    *flag->number = n;
  }
  return -1;
}

}  // namespace consentd::bench
