// Typed, path-aware reads over a Value; see value.h.
#include "common/k8s/value.h"

#include <charconv>

namespace sluice::k8s {
namespace {

std::optional<std::int64_t> parse_integer(const std::string& s) {
  std::int64_t out = 0;
  const char* end = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(s.data(), end, out);
  if (ec != std::errc() || ptr != end || s.empty()) return std::nullopt;
  return out;
}

// Paths are built for every lookup, so each is built in one allocation.
std::string join(const std::string& path, std::string_view key) {
  std::string out;
  out.reserve(path.size() + 1 + key.size());
  out += path;
  if (!path.empty()) out += '.';
  out += key;
  return out;
}

std::string indexed(const std::string& path, std::size_t i) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, i);
  std::string out;
  out.reserve(path.size() + 2 + static_cast<std::size_t>(end - digits));
  out += path;
  out += '[';
  out.append(digits, end);
  out += ']';
  return out;
}

// any thread (immutable)
class MissingValue final : public Value {
 public:
  type kind() const override { return type::missing; }
  std::string scalar() const override { return {}; }
  std::shared_ptr<const Value> member(std::string_view) const override { return missing_value(); }
  std::vector<std::shared_ptr<const Value>> elements() const override { return {}; }
  std::vector<std::pair<std::string, std::shared_ptr<const Value>>> members() const override { return {}; }
};

}  // namespace

const std::shared_ptr<const Value>& missing_value() {
  static const std::shared_ptr<const Value> missing = std::make_shared<MissingValue>();
  return missing;
}

Field::Field(std::shared_ptr<const Value> value, std::string path)
    : value_(std::move(value)), path_(std::move(path)) {}

bool Field::present() const {
  auto t = value_->kind();
  return t != Value::type::missing && t != Value::type::null;
}

void Field::fail(std::string_view what) const {
  throw DecodeError((path_.empty() ? std::string("object") : path_) + ": " + std::string(what));
}

void Field::expect(Value::type t, std::string_view what) const {
  if (!present()) fail("required field is missing");
  if (value_->kind() != t) fail(std::string("expected ") + std::string(what));
}

Field Field::operator[](std::string_view key) const {
  if (present() && value_->kind() != Value::type::map) fail("expected an object");
  return Field(value_->member(key), join(path_, key));
}

std::vector<Field> Field::items() const {
  std::vector<Field> out;
  if (!present()) return out;
  expect(Value::type::sequence, "a list");
  std::size_t i = 0;
  for (auto& e : value_->elements())
    out.emplace_back(std::move(e), indexed(path_, i++));
  return out;
}

std::vector<std::pair<std::string, Field>> Field::entries() const {
  std::vector<std::pair<std::string, Field>> out;
  if (!present()) return out;
  expect(Value::type::map, "an object");
  for (auto& [key, v] : value_->members())
    out.emplace_back(key, Field(std::move(v), join(path_, key)));
  return out;
}

std::string Field::string() const {
  expect(Value::type::scalar, "a string");
  return value_->scalar();
}

std::string Field::string_or(std::string_view fallback) const {
  return present() ? string() : std::string(fallback);
}

bool Field::is_integer() const {
  return value_->kind() == Value::type::scalar && parse_integer(value_->scalar()).has_value();
}

std::int64_t Field::integer(std::int64_t min, std::int64_t max) const {
  expect(Value::type::scalar, "an integer");
  auto n = parse_integer(value_->scalar());
  if (!n) fail("expected an integer, got \"" + value_->scalar() + "\"");
  if (*n < min || *n > max)
    fail("value " + std::to_string(*n) + " is outside " + std::to_string(min) + ".." +
         std::to_string(max));
  return *n;
}

std::optional<std::int64_t> Field::optional_integer(std::int64_t min, std::int64_t max) const {
  if (!present()) return std::nullopt;
  return integer(min, max);
}

bool Field::boolean_or(bool fallback) const {
  if (!present()) return fallback;
  expect(Value::type::scalar, "a boolean");
  const std::string s = value_->scalar();
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  fail("expected a boolean, got \"" + s + "\"");
}

std::map<std::string, std::string> Field::string_map() const {
  std::map<std::string, std::string> out;
  for (auto& [key, f] : entries()) out.emplace(key, f.present() ? f.string() : std::string());
  return out;
}

}  // namespace sluice::k8s
