// A format-neutral view of one parsed JSON/YAML node, so manifest files
// (libyaml) and API server responses (simdjson, later) share one decoder.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::k8s {

// any thread (immutable). An adapter over a parsed document; it keeps that
// document alive. Each input format implements it once, in one file.
class Value {
 public:
  enum class type { missing, null, scalar, sequence, map };

  virtual ~Value() = default;
  virtual type kind() const = 0;
  // The text of a scalar ("80", "true", "web"); empty for other kinds.
  virtual std::string scalar() const = 0;
  // The member `key` of a map; missing_value() when absent. Shared, not
  // unique: Field keeps what it gets, and make_shared is one allocation.
  virtual std::shared_ptr<const Value> member(std::string_view key) const = 0;
  // The elements of a sequence (empty for other kinds).
  virtual std::vector<std::shared_ptr<const Value>> elements() const = 0;
  // The members of a map with their keys (empty for other kinds).
  virtual std::vector<std::pair<std::string, std::shared_ptr<const Value>>> members() const = 0;
};

// The one Value of kind missing (absent members are common: no allocation).
const std::shared_ptr<const Value>& missing_value();

// Thrown inside the decoders only; decode_object() turns it into a string.
class DecodeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// any thread (immutable). A Value plus its path ("spec.rules[0].host"), with
// typed reads that throw DecodeError naming the path on a wrong type.
class Field {
 public:
  Field(std::shared_ptr<const Value> value, std::string path);

  bool present() const;  // neither absent nor null
  const std::string& path() const { return path_; }
  Field operator[](std::string_view key) const;  // absent member when absent
  std::vector<Field> items() const;              // absent: empty
  std::vector<std::pair<std::string, Field>> entries() const;  // absent: empty

  std::string string() const;  // required
  std::string string_or(std::string_view fallback) const;
  std::int64_t integer(std::int64_t min, std::int64_t max) const;  // required
  std::optional<std::int64_t> optional_integer(std::int64_t min, std::int64_t max) const;
  bool boolean_or(bool fallback) const;
  std::map<std::string, std::string> string_map() const;  // absent: empty
  bool is_integer() const;  // a scalar that parses as an integer

  [[noreturn]] void fail(std::string_view what) const;

 private:
  void expect(Value::type t, std::string_view what) const;

  std::shared_ptr<const Value> value_;
  std::string path_;
};

}  // namespace sluice::k8s
