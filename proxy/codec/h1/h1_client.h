// The HTTP/1 client codec toward a backend, for one exchange at a time: the
// leased upstream connection, the head sent to it and the parser of its
// response. The server codec drives it; the pool holds its connections
// between exchanges.
#pragma once

#include <array>
#include <memory>
#include <string>

#include <boost/asio/ip/tcp.hpp>

#include "proxy/codec/h1/message_parser.h"
#include "proxy/transport/immediate_write.h"
#include "proxy/transport/stream_ops.h"
#include "proxy/upstream/upstream_connection.h"

namespace sluice {

// worker-confined; one per client connection, reused by its exchanges.
class H1Client {
 public:
  using Read = ReadSome<boost::asio::ip::tcp::socket, boost::asio::ip::tcp::socket>;
  // A response head longer than this is a broken backend (502).
  static constexpr std::size_t max_response_head_bytes = 64 * 1024;

  bool connected() const { return connection_ != nullptr; }
  UpstreamConnection& connection() { return *connection_; }
  boost::asio::ip::tcp::socket& socket() { return connection_->socket; }
  ByteBuffer& buffer() { return connection_->buffer; }
  bool reused() const { return connection_->reused; }
  void attach(std::unique_ptr<UpstreamConnection> c) { connection_ = std::move(c); }
  std::unique_ptr<UpstreamConnection> detach() { return std::move(connection_); }
  void close() {
    boost::system::error_code ignored;
    if (connection_) connection_->socket.close(ignored);
    connection_.reset();
  }

  // The request head for the backend (header_rewrite.h writes it).
  std::string& request_head() { return request_head_; }
  MessageParser& parser() { return parser_; }

  Read read(boost::asio::mutable_buffer b) { return {&connection_->socket, nullptr, b}; }
  WriteResult write(std::array<boost::asio::const_buffer, 2> buffers) {
    return write_all(connection_->socket, buffers);
  }

  // Where this exchange's attempts went, for the access log: an
  // ExternalName's resolved address (an endpoint's name lives in the snapshot).
  std::string& resolved_address() { return resolved_address_; }

 private:
  std::unique_ptr<UpstreamConnection> connection_;
  std::string request_head_;
  MessageParser parser_{MessageParser::Kind::response};
  std::string resolved_address_;
};

}  // namespace sluice
