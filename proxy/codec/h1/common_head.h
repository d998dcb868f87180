// The common shape of an HTTP/1.1 head, parsed in one pass without llhttp.
//
// llhttp walks a head byte by byte through four callbacks per field, about
// 25 instructions a byte here. Most heads a proxy sees are plain: a known
// method, an origin-form target, HTTP/1.1, token names, printable values, a
// Content-Length or no body at all. For those, these functions fill the same
// MessageHead that MessageParser fills through llhttp. Anything else is
// declined (another version, chunked or any Transfer-Encoding, an upgrade, a
// byte outside the plain sets, a head not yet complete, anything llhttp or
// MessageParser would refuse), and llhttp parses that message from its first
// byte. So unusual input is judged by llhttp alone; the differential test in
// tests/unit/proxy/http/common_head_test.cc holds the two to the same result.
#pragma once

#include <cstddef>
#include <cstdint>

#include "proxy/codec/h1/message_head.h"

namespace sluice {

// Both return the length of the head through its blank line, or 0 when they
// decline. `head` must be clear; after a decline its contents are undefined.
// A limit of 0 means none, as in MessageParser::set_limits.
std::size_t parse_common_request_head(const char* base, std::size_t from, std::size_t to,
                                      std::size_t max_head_bytes, std::uint64_t max_body_bytes,
                                      MessageHead& head);

// Responses must carry a Content-Length: a body read until close, 1xx, 204
// and 304 are llhttp's.
std::size_t parse_common_response_head(const char* base, std::size_t from, std::size_t to, MessageHead& head);

}  // namespace sluice
