// The version-neutral view of an HTTP/1 request head: the target forms
// resolved (absolute-form's authority routes), the method mapped, and the
// facts the log phase records, all as views into the read buffer.
#pragma once

#include <cstdint>
#include <string_view>

#include "proxy/codec/h1/message_head.h"
#include "proxy/http/exchange.h"
#include "proxy/http/request_view.h"

namespace sluice {

// llhttp's method numbers onto the phases' Method.
Method h1_method(std::uint8_t llhttp_method);

// worker-confined; lives while the head does (one exchange).
class H1RequestView {
 public:
  H1RequestView(const MessageHead& head, const char* base);
  H1RequestView(const H1RequestView&) = delete;  // request_.headers points at headers_
  H1RequestView& operator=(const H1RequestView&) = delete;

  const RequestView& request() const { return request_; }
  const RequestFacts& facts() const { return facts_; }
  // An absolute-form target's authority (empty for origin-form): it also
  // replaces Host upstream (RFC 9112 3.2.2).
  std::string_view authority() const { return authority_; }

 private:
  HeaderList headers_;  // borrowed from the head: nothing copied
  RequestView request_;
  RequestFacts facts_;
  std::string_view authority_;
};

}  // namespace sluice
