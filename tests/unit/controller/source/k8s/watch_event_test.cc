// decode_watch_event: every line a watch stream may carry, as a table of
// lines in and events (or typed errors) out.
#include <catch2/catch.hpp>

#include <set>
#include <string>
#include <vector>

#include "controller/source/k8s/watch_event.h"

namespace sluice::controller::kube {
namespace {

struct Good {
  const char* name;
  std::string line;
  WatchEventType type;
  std::string resource_version;
  unsigned code;
};

struct Bad {
  const char* name;
  std::string line;
  WatchEventError error;
};

const std::string ingress_object =
    R"({"apiVersion":"networking.k8s.io/v1","kind":"Ingress","metadata":{"name":"a","namespace":"default","resourceVersion":"17"}})";

TEST_CASE("well-formed watch events decode to their type, object and resourceVersion", "[informer]") {
  const std::vector<Good> cases = {
      {"ADDED", R"({"type":"ADDED","object":)" + ingress_object + "}", WatchEventType::added, "17", 0},
      {"MODIFIED", R"({"type":"MODIFIED","object":)" + ingress_object + "}", WatchEventType::modified, "17", 0},
      {"DELETED", R"({"type":"DELETED","object":)" + ingress_object + "}", WatchEventType::deleted, "17", 0},
      {"an object without kind (the reflector adds it)",
       R"({"type":"ADDED","object":{"metadata":{"name":"a","resourceVersion":"5"}}})", WatchEventType::added, "5", 0},
      {"an object without resourceVersion", R"({"type":"ADDED","object":{"metadata":{"name":"a"}}})",
       WatchEventType::added, "", 0},
      {"a BOOKMARK names the kind and only moves the version",
       R"({"type":"BOOKMARK","object":{"kind":"Ingress","apiVersion":"networking.k8s.io/v1","metadata":{"resourceVersion":"99"}}})",
       WatchEventType::bookmark, "99", 0},
      {"an ERROR 410 Gone",
       R"({"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","status":"Failure","message":"too old","reason":"Expired","code":410}})",
       WatchEventType::error, "", 410},
      {"an ERROR 500", R"({"type":"ERROR","object":{"kind":"Status","code":500,"message":"etcd"}})",
       WatchEventType::error, "", 500},
      {"an ERROR whose Status has no code", R"({"type":"ERROR","object":{"kind":"Status","message":"?"}})",
       WatchEventType::error, "", 0},
      {"surrounding whitespace", "  {\"type\":\"DELETED\",\"object\":" + ingress_object + "}\r",
       WatchEventType::deleted, "17", 0},
      {"unknown members are ignored", R"({"type":"ADDED","extra":[1,2],"object":{"metadata":{}}})",
       WatchEventType::added, "", 0},
  };
  for (const Good& c : cases) {
    SECTION(c.name) {
      auto r = decode_watch_event(c.line, "Ingress");
      INFO(c.line);
      REQUIRE(std::holds_alternative<WatchEvent>(r));
      const WatchEvent& ev = std::get<WatchEvent>(r);
      CHECK(ev.type == c.type);
      CHECK(ev.resource_version == c.resource_version);
      CHECK(ev.code == c.code);
      REQUIRE(ev.object);
      CHECK(ev.object->kind() == k8s::Value::type::map);
    }
  }
}

TEST_CASE("malformed watch lines are typed errors, never exceptions", "[informer]") {
  const std::vector<Bad> cases = {
      {"truncated JSON", R"({"type":"ADDED","object":{"metadata":{"na)", WatchEventError::bad_json},
      {"not JSON at all", "{this is not json", WatchEventError::bad_json},
      {"two documents on one line", R"({"type":"ADDED","object":{}} {})", WatchEventError::bad_json},
      {"a NUL byte", std::string(R"({"type":"ADDED",)") + '\0' + R"("object":{}})", WatchEventError::bad_json},
      {"a number too large for a double", R"({"type":"ERROR","object":{"code":1e400}})", WatchEventError::bad_json},
      {"an array", R"([{"type":"ADDED"}])", WatchEventError::not_an_object},
      {"a bare string", R"("ADDED")", WatchEventError::not_an_object},
      {"null", "null", WatchEventError::not_an_object},
      {"no type", R"({"object":{}})", WatchEventError::unknown_type},
      {"a type that is not a string", R"({"type":{"a":1},"object":{}})", WatchEventError::unknown_type},
      {"an unknown type", R"({"type":"UPSERTED","object":{}})", WatchEventError::unknown_type},
      {"a lower-case type", R"({"type":"added","object":{}})", WatchEventError::unknown_type},
      {"no object", R"({"type":"ADDED"})", WatchEventError::missing_object},
      {"a null object", R"({"type":"MODIFIED","object":null})", WatchEventError::missing_object},
      {"an object that is a string", R"({"type":"DELETED","object":"x"})", WatchEventError::missing_object},
      {"a BOOKMARK without object", R"({"type":"BOOKMARK"})", WatchEventError::missing_object},
      {"an ERROR without object", R"({"type":"ERROR"})", WatchEventError::missing_object},
      {"an object of another kind", R"({"type":"ADDED","object":{"kind":"Service","metadata":{"name":"a"}}})",
       WatchEventError::wrong_kind},
      {"a kind that is not a string", R"({"type":"ADDED","object":{"kind":["Ingress"],"metadata":{}}})",
       WatchEventError::wrong_kind},
      {"a non-numeric ERROR code", R"({"type":"ERROR","object":{"kind":"Status","code":"5xx"}})",
       WatchEventError::bad_error_code},
      {"an ERROR code starting with 5 but not a number", R"({"type":"ERROR","object":{"code":"5abc"}})",
       WatchEventError::bad_error_code},
      {"an ERROR code beyond 64 bits (simdjson refuses the document)",
       R"({"type":"ERROR","object":{"code":99999999999999999999}})", WatchEventError::bad_json},
      {"the largest 64-bit ERROR code", R"({"type":"ERROR","object":{"code":18446744073709551615}})",
       WatchEventError::bad_error_code},
      {"a huge ERROR code as a string", R"({"type":"ERROR","object":{"code":"59999999999999999999"}})",
       WatchEventError::bad_error_code},
      {"an ERROR code over 999", R"({"type":"ERROR","object":{"code":5000}})", WatchEventError::bad_error_code},
      {"a negative ERROR code", R"({"type":"ERROR","object":{"code":-500}})", WatchEventError::bad_error_code},
      {"a fractional ERROR code", R"({"type":"ERROR","object":{"code":429.5}})", WatchEventError::bad_error_code},
      {"an ERROR code that is an object", R"({"type":"ERROR","object":{"code":{"value":410}}})",
       WatchEventError::bad_error_code},
      {"an empty ERROR code", R"({"type":"ERROR","object":{"code":""}})", WatchEventError::bad_error_code},
  };
  for (const Bad& c : cases) {
    SECTION(c.name) {
      INFO(c.line);
      WatchEventResult r = decode_watch_event(c.line, "Ingress");
      REQUIRE(std::holds_alternative<WatchEventFailure>(r));
      const auto& f = std::get<WatchEventFailure>(r);
      CHECK(error_name(f.error) == error_name(c.error));
      CHECK(!f.detail.empty());
      CHECK(f.detail.size() < 200);  // a log line, never the input
    }
  }
}

TEST_CASE("a line over the limit is too_long without being parsed", "[informer]") {
  const std::string line = R"({"type":"ADDED","object":)" + ingress_object + "}";
  auto r = decode_watch_event(line, "Ingress", line.size() - 1);
  REQUIRE(std::holds_alternative<WatchEventFailure>(r));
  CHECK(std::get<WatchEventFailure>(r).error == WatchEventError::too_long);
  CHECK(std::holds_alternative<WatchEvent>(decode_watch_event(line, "Ingress", line.size())));
}

TEST_CASE("a garbled line restarts the watch, a well-framed bad one is skipped", "[informer]") {
  CHECK(breaks_stream(WatchEventError::too_long));
  CHECK(breaks_stream(WatchEventError::bad_json));
  CHECK(breaks_stream(WatchEventError::not_an_object));
  CHECK(breaks_stream(WatchEventError::bad_error_code));  // an ERROR ends a watch whatever its code
  CHECK_FALSE(breaks_stream(WatchEventError::unknown_type));
  CHECK_FALSE(breaks_stream(WatchEventError::missing_object));
  CHECK_FALSE(breaks_stream(WatchEventError::wrong_kind));
}

TEST_CASE("every watch event error has its own name", "[informer]") {
  std::set<std::string_view> names;
  for (std::size_t i = 0; i < watch_event_error_count; ++i)
    names.insert(error_name(static_cast<WatchEventError>(i)));
  CHECK(names.size() == watch_event_error_count);
  CHECK_FALSE(names.contains("unknown"));
}

}  // namespace
}  // namespace sluice::controller::kube
