#include "common/json.h"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <vector>

#include "common/utf8.h"

namespace consentd {
namespace {

Status JsonStatus(Reason error, std::string message) {
  return Status::Error(error, std::move(message));
}

// Builds the DOM from nlohmann's SAX events while enforcing the rules the default DOM parser
// does not: no floats, safe integers only, no duplicate keys, bounded depth.
class StrictSax {
 public:
  using number_integer_t = Json::number_integer_t;
  using number_unsigned_t = Json::number_unsigned_t;
  using number_float_t = Json::number_float_t;
  using string_t = Json::string_t;
  using binary_t = Json::binary_t;

  explicit StrictSax(const JsonLimits& limits) : limits_(limits) {}

  bool null() { return Put(Json(nullptr)); }
  bool boolean(bool v) { return Put(Json(v)); }
  bool number_integer(number_integer_t v) {
    if (v > kJsonMaxSafeInteger || v < -kJsonMaxSafeInteger) return RangeError();
    return Put(Json(v));
  }
  bool number_unsigned(number_unsigned_t v) {
    if (v > static_cast<number_unsigned_t>(kJsonMaxSafeInteger)) return RangeError();
    return Put(Json(static_cast<number_integer_t>(v)));
  }
  bool number_float(number_float_t, const string_t& token) {
    // nlohmann reports integers too large for 64 bits as floats; tell them apart by the token.
    if (token.find_first_of(".eE") == string_t::npos) return RangeError();
    return Fail(Reason::kJsonFloatNotAllowed, "floating-point number " + token + " is not allowed");
  }
  bool string(string_t& v) { return Put(Json(std::move(v))); }
  bool binary(binary_t&) { return Fail(Reason::kJsonSyntax, "binary values are not JSON"); }

  bool start_object(std::size_t) {
    if (!Enter()) return false;
    Json* obj = Put(Json::object()) ? Last() : nullptr;
    if (obj == nullptr) return false;
    stack_.push_back(obj);
    return true;
  }
  bool key(string_t& k) {
    Json* obj = stack_.back();
    if (obj->contains(k)) return Fail(Reason::kJsonDuplicateKey, "duplicate key \"" + k + "\"");
    pending_ = &(*obj)[std::move(k)];
    return true;
  }
  bool end_object() {
    stack_.pop_back();
    return true;
  }
  bool start_array(std::size_t) {
    if (!Enter()) return false;
    Json* arr = Put(Json::array()) ? Last() : nullptr;
    if (arr == nullptr) return false;
    stack_.push_back(arr);
    return true;
  }
  bool end_array() {
    stack_.pop_back();
    return true;
  }
  bool parse_error(std::size_t position, const std::string&,
                   const nlohmann::detail::exception& ex) {
    const std::string what = ex.what();
    const Reason code =
        what.find("surrogate") != std::string::npos || what.find("UTF-8") != std::string::npos
            ? Reason::kJsonInvalidUtf8
            : Reason::kJsonSyntax;
    return Fail(code, "at byte " + std::to_string(position) + ": " + what);
  }

  Json TakeRoot() { return std::move(root_); }
  const Status& error() const { return error_; }

 private:
  bool Enter() {
    if (static_cast<int>(stack_.size()) + 1 > limits_.max_depth) {
      return Fail(Reason::kJsonTooDeep,
                  "nesting deeper than " + std::to_string(limits_.max_depth) + " levels");
    }
    return true;
  }

  // Places a value as the root, as the value of the pending key, or appended to an array.
  bool Put(Json v) {
    if (stack_.empty()) {
      root_ = std::move(v);
      last_ = &root_;
    } else if (stack_.back()->is_array()) {
      stack_.back()->push_back(std::move(v));
      last_ = &stack_.back()->back();
    } else {
      *pending_ = std::move(v);
      last_ = pending_;
    }
    return true;
  }
  Json* Last() { return last_; }

  bool RangeError() { return Fail(Reason::kJsonIntegerOutOfRange, "integer outside +-(2^53 - 1)"); }
  bool Fail(Reason e, std::string message) {
    if (error_.ok()) error_ = JsonStatus(e, std::move(message));
    return false;
  }

  const JsonLimits& limits_;
  Json root_;
  std::vector<Json*> stack_;
  Json* pending_ = nullptr;
  Json* last_ = nullptr;
  Status error_;
};

void AppendString(std::string_view s, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  // Copy runs of characters that need no escape in one append.
  std::size_t run = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto u = static_cast<unsigned char>(s[i]);
    if (u >= 0x20 && u != '"' && u != '\\') continue;
    out->append(s.data() + run, i - run);
    run = i + 1;
    switch (u) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\f':
        out->append("\\f");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        out->append("\\u00");
        out->push_back(kHex[u >> 4]);
        out->push_back(kHex[u & 0x0f]);
    }
  }
  out->append(s.data() + run, s.size() - run);
  out->push_back('"');
}

template <typename Int>
void AppendInteger(Int v, std::string* out) {
  char buf[24];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  assert(ec == std::errc());
  out->append(buf, end);
}

bool AllAscii(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

}  // namespace

Result<Json> ParseJson(std::string_view text, const JsonLimits& limits) {
  if (text.size() > limits.max_bytes) {
    return JsonStatus(Reason::kJsonTooLarge, "document of " + std::to_string(text.size()) +
                                                 " bytes exceeds the limit of " +
                                                 std::to_string(limits.max_bytes));
  }
  if (!IsValidUtf8(text)) {
    return JsonStatus(Reason::kJsonInvalidUtf8, "document is not well-formed UTF-8");
  }
  // The parser takes a NUL byte for the end of its input; JSON has no place for a raw one, so
  // a document with one (and whatever follows it) is refused whole.
  if (const std::size_t nul = text.find('\0'); nul != std::string_view::npos) {
    return JsonStatus(Reason::kJsonSyntax,
                      "a NUL byte at offset " + std::to_string(nul) + " (JSON text has none)");
  }
  StrictSax sax(limits);
  bool ok = false;
  try {
    ok = Json::sax_parse(text.begin(), text.end(), &sax, Json::input_format_t::json,
                         /*strict=*/true, /*ignore_comments=*/false);
  } catch (const std::exception& e) {
    return JsonStatus(Reason::kJsonSyntax, e.what());
  }
  if (!ok) {
    if (!sax.error().ok()) return sax.error();
    return JsonStatus(Reason::kJsonSyntax, "malformed JSON");
  }
  return sax.TakeRoot();
}

void AppendCanonicalJson(const Json& value, std::string* out) {
  switch (value.type()) {
    case Json::value_t::null:
      out->append("null");
      return;
    case Json::value_t::boolean:
      out->append(value.get<bool>() ? "true" : "false");
      return;
    case Json::value_t::number_integer:
      AppendInteger(value.get<std::int64_t>(), out);
      return;
    case Json::value_t::number_unsigned:
      AppendInteger(value.get<std::uint64_t>(), out);
      return;
    case Json::value_t::string:
      AppendString(value.get_ref<const std::string&>(), out);
      return;
    case Json::value_t::array: {
      out->push_back('[');
      bool first = true;
      for (const Json& item : value) {
        if (!first) out->push_back(',');
        first = false;
        AppendCanonicalJson(item, out);
      }
      out->push_back(']');
      return;
    }
    case Json::value_t::object: {
      out->push_back('{');
      const auto& obj = value.get_ref<const Json::object_t&>();
      // std::map orders keys by UTF-8 bytes, which equals UTF-16 order for ASCII keys (the
      // common case); otherwise sort a list of pointers the JCS way.
      bool ascii = true;
      for (const auto& [k, v] : obj) ascii = ascii && AllAscii(k);
      auto emit = [&](const std::string& k, const Json& v, bool first) {
        if (!first) out->push_back(',');
        AppendString(k, out);
        out->push_back(':');
        AppendCanonicalJson(v, out);
      };
      if (ascii) {
        bool first = true;
        for (const auto& [k, v] : obj) {
          emit(k, v, first);
          first = false;
        }
      } else {
        std::vector<const Json::object_t::value_type*> entries;
        entries.reserve(obj.size());
        for (const auto& entry : obj) entries.push_back(&entry);
        std::sort(entries.begin(), entries.end(),
                  [](auto* a, auto* b) { return CompareUtf16(a->first, b->first) < 0; });
        bool first = true;
        for (const auto* entry : entries) {
          emit(entry->first, entry->second, first);
          first = false;
        }
      }
      out->push_back('}');
      return;
    }
    case Json::value_t::number_float:
    case Json::value_t::binary:
    case Json::value_t::discarded:
      // Our own invariant: canonical values are built from ParseJson output or from integers.
      assert(false && "non-canonical JSON value");
      out->append("null");
      return;
  }
}

void AppendCanonicalString(std::string_view s, std::string* out) { AppendString(s, out); }
void AppendCanonicalInteger(std::int64_t v, std::string* out) { AppendInteger(v, out); }
void AppendCanonicalInteger(std::uint64_t v, std::string* out) { AppendInteger(v, out); }

std::string CanonicalJson(const Json& value) {
  std::string out;
  out.reserve(256);
  AppendCanonicalJson(value, &out);
  return out;
}

}  // namespace consentd
