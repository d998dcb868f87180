// k8s::Value over a simdjson DOM document; see json_value.h.
#include "common/k8s/json_value.h"

#include "common/strings.h"

#include <charconv>
#include <simdjson.h>

namespace sluice::k8s {
namespace {

namespace dom = simdjson::dom;

// any thread (immutable once parsed). Owns the parsed tape and its strings.
struct Document {
  dom::document doc;
};

// any thread (immutable)
class JsonValue final : public Value {
 public:
  JsonValue(std::shared_ptr<const Document> doc, dom::element e) : doc_(std::move(doc)), element_(e) {}

  type kind() const override {
    switch (element_.type()) {
      case dom::element_type::ARRAY: return type::sequence;
      case dom::element_type::OBJECT: return type::map;
      case dom::element_type::NULL_VALUE: return type::null;
      default: return type::scalar;
    }
  }

  std::string scalar() const override {
    switch (element_.type()) {
      case dom::element_type::STRING: {
        std::string_view s;
        return element_.get_string().get(s) ? std::string() : std::string(s);
      }
      case dom::element_type::INT64: {
        std::int64_t n = 0;
        return element_.get_int64().get(n) ? std::string() : std::to_string(n);
      }
      case dom::element_type::UINT64: {
        std::uint64_t n = 0;
        return element_.get_uint64().get(n) ? std::string() : std::to_string(n);
      }
      case dom::element_type::DOUBLE: {
        double d = 0;
        if (element_.get_double().get(d)) return {};
        char buf[64];
        auto [p, ec] = std::to_chars(buf, buf + sizeof buf, d);
        return ec == std::errc() ? std::string(buf, p) : std::string();
      }
      case dom::element_type::BOOL: {
        bool b = false;
        return element_.get_bool().get(b) ? std::string() : std::string(b ? "true" : "false");
      }
      default: return {};
    }
  }

  std::shared_ptr<const Value> member(std::string_view key) const override {
    if (element_.type() == dom::element_type::OBJECT) {
      dom::object object;
      dom::element child;
      // at_key compares raw bytes, as Kubernetes keys are plain ASCII.
      if (!element_.get_object().get(object) && !object.at_key(key).get(child))
        return std::make_shared<JsonValue>(doc_, child);
    }
    return missing_value();
  }

  std::vector<std::shared_ptr<const Value>> elements() const override {
    std::vector<std::shared_ptr<const Value>> out;
    if (element_.type() != dom::element_type::ARRAY) return out;
    dom::array array;
    if (element_.get_array().get(array)) return out;
    for (dom::element e : array)
      out.push_back(std::make_shared<JsonValue>(doc_, e));
    return out;
  }

  std::vector<std::pair<std::string, std::shared_ptr<const Value>>> members() const override {
    std::vector<std::pair<std::string, std::shared_ptr<const Value>>> out;
    if (element_.type() != dom::element_type::OBJECT) return out;
    dom::object object;
    if (element_.get_object().get(object)) return out;
    for (dom::key_value_pair kv : object)
      out.emplace_back(std::string(kv.key), std::make_shared<JsonValue>(doc_, kv.value));
    return out;
  }

 private:
  std::shared_ptr<const Document> doc_;
  dom::element element_;
};

// any thread (immutable). A plain string scalar.
class StringValue final : public Value {
 public:
  explicit StringValue(std::string s) : s_(std::move(s)) {}
  type kind() const override { return type::scalar; }
  std::string scalar() const override { return s_; }
  std::shared_ptr<const Value> member(std::string_view) const override { return missing_value(); }
  std::vector<std::shared_ptr<const Value>> elements() const override { return {}; }
  std::vector<std::pair<std::string, std::shared_ptr<const Value>>> members() const override { return {}; }

 private:
  std::string s_;
};

// any thread (immutable)
class TypedValue final : public Value {
 public:
  TypedValue(std::shared_ptr<const Value> inner, std::string api_version, std::string kind)
      : inner_(std::move(inner)), api_version_(std::move(api_version)), kind_(std::move(kind)) {}

  type kind() const override { return inner_->kind(); }
  std::string scalar() const override { return inner_->scalar(); }
  std::shared_ptr<const Value> member(std::string_view key) const override {
    auto v = inner_->member(key);
    if (v->kind() == type::missing && inner_->kind() == type::map) {
      if (key == "apiVersion") return std::make_shared<StringValue>(api_version_);
      if (key == "kind") return std::make_shared<StringValue>(kind_);
    }
    return v;
  }
  std::vector<std::shared_ptr<const Value>> elements() const override { return inner_->elements(); }
  std::vector<std::pair<std::string, std::shared_ptr<const Value>>> members() const override {
    auto out = inner_->members();
    if (inner_->kind() != type::map) return out;
    bool has_api = false, has_kind = false;
    for (const auto& [k, v] : out) {
      has_api |= k == "apiVersion";
      has_kind |= k == "kind";
    }
    if (!has_api) out.emplace_back("apiVersion", std::make_shared<StringValue>(api_version_));
    if (!has_kind) out.emplace_back("kind", std::make_shared<StringValue>(kind_));
    return out;
  }

 private:
  std::shared_ptr<const Value> inner_;
  std::string api_version_;
  std::string kind_;
};

}  // namespace

std::shared_ptr<const Value> parse_json(std::string_view text, std::string& error) {
  // One parser per thread: it keeps its scratch buffers between documents;
  // each document gets its own tape so Values can outlive the next parse.
  thread_local dom::parser parser;
  auto doc = std::make_shared<Document>();
  dom::element root;
  auto ec = parser.parse_into_document(doc->doc, text.data(), text.size()).get(root);
  if (ec) {
    error = std::string("invalid JSON: ") + simdjson::error_message(ec);
    return nullptr;
  }
  return std::make_shared<JsonValue>(std::move(doc), root);
}

std::shared_ptr<const Value> with_type_meta(std::shared_ptr<const Value> value,
                                            std::string api_version, std::string kind) {
  return std::make_shared<TypedValue>(std::move(value), std::move(api_version), std::move(kind));
}

std::string json_quote(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  append_json_string(out, text);
  return out;
}

}  // namespace sluice::k8s
