// H1RequestView; see h1_request_view.h.
#include "proxy/codec/h1/h1_request_view.h"

#include <llhttp.h>

#include "proxy/codec/h1/request_target.h"

namespace sluice {

Method h1_method(std::uint8_t m) {
  switch (m) {
    case HTTP_GET: return Method::get;
    case HTTP_HEAD: return Method::head;
    case HTTP_POST: return Method::post;
    case HTTP_PUT: return Method::put;
    case HTTP_DELETE: return Method::del;
    case HTTP_OPTIONS: return Method::options;
    case HTTP_TRACE: return Method::trace;
    case HTTP_CONNECT: return Method::connect;
    case HTTP_PATCH: return Method::patch;
    default: return Method::other;
  }
}

namespace {

std::string_view field(const MessageHead& head, int index, const char* base) {
  return index >= 0 ? head.headers[index].value.in(base) : std::string_view();
}

}  // namespace

H1RequestView::H1RequestView(const MessageHead& head, const char* base) {
  headers_.borrow(head.headers, base);
  request_.headers = &headers_;
  request_.method = h1_method(head.method);
  request_.target = head.target.in(base);
  request_.host = field(head, head.host, base);
  if (request_.method != Method::connect) {
    request_.bad_target = split_target(request_.target, authority_, head.method);
    if (!authority_.empty()) request_.host = authority_;
  }
  request_.has_body = head.has_body;
  request_.content_length = head.chunked ? 0 : head.content_length;
  request_.upgrade = head.upgrade >= 0 && head.connection_upgrade;
  facts_.method_name = llhttp_method_name(static_cast<llhttp_method_t>(head.method));
  facts_.request_id = field(head, head.request_id, base);
  facts_.user_agent = field(head, head.user_agent, base);
  facts_.referer = field(head, head.referer, base);
  facts_.http_minor = head.http_minor;
}

}  // namespace sluice
