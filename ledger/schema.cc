#include "ledger/schema.h"

#include <algorithm>

#include "common/hex.h"

namespace consentd::ledger {

bool IsValidIdentifier(std::string_view id) {
  if (id.size() < 2 || id.size() > 32 || id.front() < 'a' || id.front() > 'z') return false;
  int digits = 0;
  for (char c : id) {
    const bool digit = c >= '0' && c <= '9';
    if (!digit && !(c >= 'a' && c <= 'z') && c != '-') return false;
    digits = digit ? digits + 1 : 0;
    if (digits > 4) return false;
  }
  return true;
}

bool IsValidNoticeId(std::string_view id) {
  return id.size() == 32 && std::all_of(id.begin(), id.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

bool LooksLikeText(const Hash256& value) {
  const auto printable = std::count_if(value.begin(), value.end(),
                                       [](std::uint8_t b) { return b >= 0x20 && b <= 0x7e; });
  return printable >= kTextLikeBytes;
}

FieldReader::FieldReader(const Json& value, std::string path, Trust trust)
    : value_(value), path_(std::move(path)), trust_(trust) {
  if (!value_.is_object()) Fail(Reason::kTxWrongType, path_ + " must be an object");
}

void FieldReader::Fail(Reason code, std::string message) {
  if (status_.ok()) status_ = Status::Error(code, std::move(message));
}

void FieldReader::Fail(Status error) {
  if (status_.ok()) status_ = std::move(error);
}

std::string FieldReader::Name(std::string_view key) const { return path_ + "." + std::string(key); }

bool FieldReader::Has(std::string_view key) const {
  return value_.is_object() && value_.contains(key);
}

bool FieldReader::IsNull(std::string_view key) const {
  return Has(key) && value_.find(key)->is_null();
}

const Json* FieldReader::Field(std::string_view key, bool optional) {
  if (!ok()) return nullptr;
  auto it = value_.find(key);
  if (it == value_.end() || (optional && it->is_null())) {
    if (it != value_.end()) consumed_.push_back(it.key());
    if (!optional) Fail(Reason::kTxMissingField, "missing field " + Name(key));
    return nullptr;
  }
  consumed_.push_back(it.key());
  return &*it;
}

std::string FieldReader::ItemIdentifier(const Json& v, const std::string& name) {
  if (!v.is_string()) {
    Fail(Reason::kTxWrongType, name + " must be a string");
    return {};
  }
  const auto& s = v.get_ref<const std::string&>();
  if (stored()) return s;
  if (!IsValidIdentifier(s)) {
    Fail(Reason::kTxInvalidValue, name +
                                      " must be an identifier of 2-32 characters [a-z0-9-], "
                                      "starting with a letter, with at most 4 digits in a row");
    return {};
  }
  if (list_ != nullptr && !list_->Contains(s)) {
    Fail(Reason::kTxInvalidCode,
         name + ": \"" + s + "\" is not in the " + std::string(list_->name()) + " vocabulary");
    return {};
  }
  return s;
}

Hash256 FieldReader::ItemHash(const Json& v, const std::string& name) {
  if (!v.is_string()) {
    Fail(Reason::kTxWrongType, name + " must be a hex string");
    return {};
  }
  auto h = HexDecodeFixed<32>(v.get_ref<const std::string&>());
  if (!h.ok()) {
    Fail(Reason::kTxInvalidValue, name + " must be 64 lowercase hex characters");
    return {};
  }
  if (!stored() && LooksLikeText(*h)) {
    Fail(Reason::kTxInvalidValue, name + " looks like text, not a hash (at least " +
                                      std::to_string(kTextLikeBytes) +
                                      " of its 32 bytes are printable ASCII)");
    return {};
  }
  return *h;
}

std::optional<crypto::PublicKey> FieldReader::ParseKey(const Hash256& bytes,
                                                       const std::string& name) {
  if (!ok()) return std::nullopt;
  auto key = crypto::PublicKey::Parse(bytes);
  if (!key.ok()) {
    Fail(Reason::kTxInvalidValue, name + " is not a valid BIP340 public key");
    return std::nullopt;
  }
  return *key;
}

std::string FieldReader::Identifier(std::string_view key) {
  const Json* v = Field(key, false);
  return v ? ItemIdentifier(*v, Name(key)) : std::string();
}

std::optional<std::string> FieldReader::OptionalIdentifier(std::string_view key) {
  const Json* v = Field(key, true);
  if (v == nullptr) return std::nullopt;
  std::string s = ItemIdentifier(*v, Name(key));
  return ok() ? std::optional(s) : std::nullopt;
}

template <typename T>
std::vector<T> FieldReader::Array(std::string_view key, std::size_t min, std::size_t max,
                                  T (FieldReader::*item)(const Json&, const std::string&)) {
  std::vector<T> out;
  const Json* v = Field(key, min == 0);
  if (v == nullptr) return out;
  if (!v->is_array()) {
    Fail(Reason::kTxWrongType, Name(key) + " must be an array");
    return out;
  }
  if (v->size() < min) {
    Fail(Reason::kTxArrayEmpty, Name(key) + " needs at least " + std::to_string(min) + " entries");
    return out;
  }
  if (v->size() > max) {
    Fail(Reason::kTxArrayTooLong, Name(key) + " has " + std::to_string(v->size()) +
                                      " entries; the limit is " + std::to_string(max));
    return out;
  }
  for (std::size_t i = 0; i < v->size() && ok(); ++i) {
    T t = (this->*item)((*v)[i], Name(key) + "[" + std::to_string(i) + "]");
    if (!ok()) break;
    if (!stored() && std::find(out.begin(), out.end(), t) != out.end()) {
      Fail(Reason::kTxDuplicateEntry, Name(key) + " lists an entry twice");
      break;
    }
    out.push_back(std::move(t));
  }
  if (!ok()) out.clear();
  return out;
}

std::vector<std::string> FieldReader::Identifiers(std::string_view key, std::size_t min,
                                                  std::size_t max) {
  return Array<std::string>(key, min, max, &FieldReader::ItemIdentifier);
}

const std::string* FieldReader::StringField(std::string_view key) {
  const Json* v = Field(key, false);
  if (v == nullptr) return nullptr;
  if (!v->is_string()) {
    Fail(Reason::kTxWrongType, Name(key) + " must be a string");
    return nullptr;
  }
  return &v->get_ref<const std::string&>();
}

std::string FieldReader::NoticeId(std::string_view key) {
  const std::string* text = StringField(key);
  if (text == nullptr) return {};
  const std::string& s = *text;
  if (!stored() && !IsValidNoticeId(s)) {
    Fail(Reason::kTxInvalidValue,
         Name(key) + " must be 32 lowercase hex digits (a random 128-bit id)");
    return {};
  }
  return s;
}

std::string FieldReader::Code(std::string_view key, const vocab::CodeList& list) {
  auto v = OptionalCode(key, list);
  if (!v && ok()) Fail(Reason::kTxMissingField, "missing field " + Name(key));
  return v.value_or(std::string());
}

std::optional<std::string> FieldReader::OptionalCode(std::string_view key,
                                                     const vocab::CodeList& list) {
  const Json* v = Field(key, true);
  if (v == nullptr) return std::nullopt;
  if (!v->is_string()) {
    Fail(Reason::kTxWrongType, Name(key) + " must be a code string");
    return std::nullopt;
  }
  const auto& s = v->get_ref<const std::string&>();
  if (!stored() && !list.Contains(s)) {
    Fail(Reason::kTxInvalidCode,
         Name(key) + " is not in the " + std::string(list.name()) + " vocabulary");
    return std::nullopt;
  }
  return s;
}

std::vector<std::string> FieldReader::Codes(std::string_view key, const vocab::CodeList& list,
                                            std::size_t min, std::size_t max) {
  // Codes may contain characters identifiers do not allow (e.g. "ClaimsHandling"), so check
  // them against the list directly.
  std::vector<std::string> out;
  const Json* v = Field(key, min == 0);
  if (v == nullptr) return out;
  if (!v->is_array()) {
    Fail(Reason::kTxWrongType, Name(key) + " must be an array of codes");
    return out;
  }
  if (v->size() < min) {
    Fail(Reason::kTxArrayEmpty, Name(key) + " needs at least " + std::to_string(min) + " entries");
    return out;
  }
  if (v->size() > max) {
    Fail(Reason::kTxArrayTooLong, Name(key) + " has " + std::to_string(v->size()) +
                                      " entries; the limit is " + std::to_string(max));
    return out;
  }
  for (const Json& item : *v) {
    if (!item.is_string()) {
      Fail(Reason::kTxWrongType, Name(key) + " must contain only code strings");
      return {};
    }
    const auto& s = item.get_ref<const std::string&>();
    if (stored()) {
      out.push_back(s);
      continue;
    }
    if (!list.Contains(s)) {
      Fail(Reason::kTxInvalidCode, Name(key) + ": \"" + (s.size() <= 40 ? s : s.substr(0, 40)) +
                                       "\" is not in the " + std::string(list.name()) +
                                       " vocabulary");
      return {};
    }
    if (std::find(out.begin(), out.end(), s) != out.end()) {
      Fail(Reason::kTxDuplicateEntry, Name(key) + " lists \"" + s + "\" twice");
      return {};
    }
    out.push_back(s);
  }
  return out;
}

std::string FieldReader::Enum(std::string_view key, const std::vector<std::string_view>& allowed) {
  const std::string* text = StringField(key);
  if (text == nullptr) return {};
  const std::string& s = *text;
  if (std::find(allowed.begin(), allowed.end(), s) == allowed.end()) {
    std::string names;
    for (auto a : allowed) names += (names.empty() ? "" : ", ") + std::string(a);
    Fail(Reason::kTxInvalidCode, Name(key) + " must be one of: " + names);
    return {};
  }
  return s;
}

std::optional<std::string> FieldReader::OptionalEnum(std::string_view key,
                                                     const std::vector<std::string_view>& allowed) {
  if (!Has(key) || IsNull(key)) {
    Field(key, true);  // a null is read, as absent
    return std::nullopt;
  }
  std::string s = Enum(key, allowed);
  return ok() ? std::optional(std::move(s)) : std::nullopt;
}

Hash256 FieldReader::Hash(std::string_view key) {
  const Json* v = Field(key, false);
  return v ? ItemHash(*v, Name(key)) : Hash256{};
}

std::optional<Hash256> FieldReader::OptionalHash(std::string_view key) {
  const Json* v = Field(key, true);
  if (v == nullptr) return std::nullopt;
  Hash256 h = ItemHash(*v, Name(key));
  return ok() ? std::optional(h) : std::nullopt;
}

std::vector<Hash256> FieldReader::Hashes(std::string_view key, std::size_t min, std::size_t max) {
  return Array<Hash256>(key, min, max, &FieldReader::ItemHash);
}

std::optional<crypto::PublicKey> FieldReader::Key(std::string_view key) {
  const Json* v = Field(key, false);
  if (v == nullptr) return std::nullopt;
  return ParseKey(ItemHash(*v, Name(key)), Name(key));
}

std::optional<crypto::PublicKey> FieldReader::OptionalKey(std::string_view key) {
  const Json* v = Field(key, true);
  if (v == nullptr) return std::nullopt;
  return ParseKey(ItemHash(*v, Name(key)), Name(key));
}

std::vector<crypto::PublicKey> FieldReader::Keys(std::string_view key, std::size_t min,
                                                 std::size_t max) {
  std::vector<crypto::PublicKey> out;
  for (const Hash256& bytes : Hashes(key, min, max)) {
    auto k = ParseKey(bytes, Name(key));
    if (!k) return {};
    out.push_back(*k);
  }
  return out;
}

std::int64_t FieldReader::Int(std::string_view key, std::int64_t min, std::int64_t max) {
  auto v = OptionalInt(key, min, max);
  if (!v && ok()) Fail(Reason::kTxMissingField, "missing field " + Name(key));
  return v.value_or(0);
}

std::optional<std::int64_t> FieldReader::OptionalInt(std::string_view key, std::int64_t min,
                                                     std::int64_t max) {
  const Json* v = Field(key, true);
  if (v == nullptr) return std::nullopt;
  if (!v->is_number_integer()) {
    Fail(Reason::kTxWrongType, Name(key) + " must be an integer");
    return std::nullopt;
  }
  const std::int64_t n = v->get<std::int64_t>();
  if (n < min || n > max) {
    Fail(Reason::kTxInvalidValue,
         Name(key) + " must be between " + std::to_string(min) + " and " + std::to_string(max));
    return std::nullopt;
  }
  return n;
}

std::int64_t FieldReader::Time(std::string_view key) { return Int(key, 0, kJsonMaxSafeInteger); }

std::optional<std::int64_t> FieldReader::OptionalTime(std::string_view key) {
  return OptionalInt(key, 0, kJsonMaxSafeInteger);
}

bool FieldReader::Bool(std::string_view key) {
  const Json* v = Field(key, false);
  if (v == nullptr) return false;
  if (!v->is_boolean()) {
    Fail(Reason::kTxWrongType, Name(key) + " must be true or false");
    return false;
  }
  return v->get<bool>();
}

const Json* FieldReader::Object(std::string_view key) {
  const Json* v = Field(key, false);
  if (v == nullptr) return nullptr;
  if (!v->is_object()) {
    Fail(Reason::kTxWrongType, Name(key) + " must be an object");
    return nullptr;
  }
  return v;
}

const Json* FieldReader::Raw(std::string_view key) { return Field(key, false); }

Status FieldReader::Finish() {
  if (!ok()) return status_;
  for (auto it = value_.begin(); it != value_.end(); ++it) {
    if (std::find(consumed_.begin(), consumed_.end(), std::string_view(it.key())) ==
        consumed_.end()) {
      const std::string& k = it.key();
      return Status::Error(
          Reason::kTxUnknownField,
          "unknown field " + path_ + "." + (k.size() <= 40 ? k : k.substr(0, 40) + "..."));
    }
  }
  return Status::Ok();
}

}  // namespace consentd::ledger
