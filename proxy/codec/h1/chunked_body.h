// A strict decoder of chunked transfer coding (RFC 9112 7.1) that finds
// where a chunked body ends without changing a byte of it, so the body can be
// forwarded as it arrived.
//
// It replaces llhttp for chunked bodies because llhttp 8.1 (the version
// Debian ships) refuses valid chunk lines with more than one extension that
// has a value ("5;a=1;b=2"). Everything RFC 9112 allows is accepted: any
// number of extensions, token or quoted-string values, bad whitespace (BWS)
// around ';' and '=', trailer fields. Everything else is refused, notably a
// bare LF or CR anywhere, a size that is not hex or overflows 64 bits,
// whitespace between the size and CRLF with no extension, and obsolete line
// folding in trailers; extensions and trailers have size limits, since they
// are bytes a client can send without sending any body.
#pragma once

#include <cstddef>
#include <cstdint>

namespace sluice {

// worker-confined. One body at a time; reset() before the next.
class ChunkedBody {
 public:
  static constexpr std::size_t default_max_line_extension_bytes = 4096;
  static constexpr std::size_t default_max_trailer_bytes = 32 * 1024;

  enum class Status { need_more, complete, error };

  void reset();
  void set_limits(std::size_t max_line_extension_bytes, std::size_t max_trailer_bytes) {
    max_extension_bytes_ = max_line_extension_bytes;
    max_trailer_bytes_ = max_trailer_bytes;
  }

  // Walks [p, end). `consumed` is how many bytes belong to the body: all of
  // them unless it completes, when it stops right after the final CRLF.
  Status parse(const char* p, const char* end, std::size_t& consumed);

  // Chunk data seen so far, framing excluded.
  std::uint64_t data_bytes() const { return data_bytes_; }
  const char* error_reason() const { return error_; }

 private:
  enum class State : std::uint8_t {
    size_first, size, bws_before_semicolon, name_start, name, after_name, value_start, token_value,
    quoted_value, quoted_pair, after_quoted, size_lf, data, data_cr, data_lf,
    trailer_start, trailer_name, trailer_value, trailer_lf, final_lf, complete,
  };

  bool reject(const char* reason);
  bool step_line(char c);      // the chunk-size line, one byte
  bool step_extension(unsigned char c);  // its extensions, one byte
  bool step_trailer(char c);   // the trailer section, one byte

  State state_ = State::size_first;
  std::uint64_t size_ = 0;        // of the current chunk
  std::uint64_t remaining_ = 0;   // of its data
  std::uint64_t data_bytes_ = 0;
  std::size_t line_bytes_ = 0;    // extension bytes on this size line
  std::size_t trailer_bytes_ = 0;
  std::size_t max_extension_bytes_ = default_max_line_extension_bytes;
  std::size_t max_trailer_bytes_ = default_max_trailer_bytes;
  const char* error_ = nullptr;
};

}  // namespace sluice
