// classify_header: a switch on the length, then each candidate name costs a
// few word-sized loads and compares (every field name of every request and
// response passes here, so a byte loop per candidate showed in profiles).
#include "proxy/http/header_kind.h"

#include <array>
#include <bit>
#include <cstdint>
#include <cstring>

namespace sluice {

namespace {

// A lowercase field name of `Length` bytes, compared in chunks of 8, 4 or 2
// bytes. The last chunk may overlap the one before it, so a name of any
// length >= 2 is covered without a byte loop. In each chunk, `fold` has the
// ASCII case bit (0x20) where the name has a letter: OR-ing it into the input
// lowercases exactly those bytes, and everything else ('-') must match as is.
template <std::size_t Length>
class FoldedName {
  static_assert(Length >= 2);
  static constexpr std::size_t chunk = Length >= 8 ? 8 : Length >= 4 ? 4 : 2;
  static constexpr std::size_t chunks = (Length + chunk - 1) / chunk;

 public:
  consteval explicit FoldedName(const char (&lower)[Length + 1]) {
    for (std::size_t i = 0; i < chunks; ++i) {
      std::array<char, 8> bytes{}, fold{};
      for (std::size_t k = 0; k < chunk; ++k) {
        const char c = lower[offset(i) + k];
        bytes[k] = c;
        fold[k] = c >= 'a' && c <= 'z' ? 0x20 : 0;
      }
      words_[i] = std::bit_cast<std::uint64_t>(bytes);
      folds_[i] = std::bit_cast<std::uint64_t>(fold);
    }
  }

  // `name` points at Length bytes.
  bool matches(const char* name) const {
    for (std::size_t i = 0; i < chunks; ++i)
      if ((load(name + offset(i)) | folds_[i]) != words_[i]) return false;
    return true;
  }

 private:
  static constexpr std::size_t offset(std::size_t i) { return i + 1 < chunks ? i * chunk : Length - chunk; }
  // The same byte layout as the constructor's bit_cast, whatever the endianness.
  static std::uint64_t load(const char* p) {
    std::array<char, 8> bytes{};
    std::memcpy(bytes.data(), p, chunk);
    return std::bit_cast<std::uint64_t>(bytes);
  }

  std::array<std::uint64_t, chunks> words_{};
  std::array<std::uint64_t, chunks> folds_{};
};

template <std::size_t N>
FoldedName(const char (&)[N]) -> FoldedName<N - 1>;

constexpr FoldedName te("te");
constexpr FoldedName host("host");
constexpr FoldedName expect("expect");
constexpr FoldedName upgrade("upgrade");
constexpr FoldedName referer("referer");
constexpr FoldedName trailer("trailer");
constexpr FoldedName x_real_ip("x-real-ip");
constexpr FoldedName connection("connection");
constexpr FoldedName user_agent("user-agent");
constexpr FoldedName keep_alive("keep-alive");
constexpr FoldedName x_request_id("x-request-id");
constexpr FoldedName x_forwarded_for("x-forwarded-for");
constexpr FoldedName x_forwarded_host("x-forwarded-host");
constexpr FoldedName x_forwarded_port("x-forwarded-port");
constexpr FoldedName proxy_connection("proxy-connection");
constexpr FoldedName x_forwarded_proto("x-forwarded-proto");
constexpr FoldedName content_length("content-length");
constexpr FoldedName transfer_encoding("transfer-encoding");

}  // namespace

namespace {

HeaderKind classify_known(std::string_view n) {
  const char* p = n.data();
  switch (n.size()) {
    case 2:
      return te.matches(p) ? HeaderKind::te : HeaderKind::other;
    case 4:
      return host.matches(p) ? HeaderKind::host : HeaderKind::other;
    case 6:
      return expect.matches(p) ? HeaderKind::expect : HeaderKind::other;
    case 7:
      if (upgrade.matches(p)) return HeaderKind::upgrade;
      if (referer.matches(p)) return HeaderKind::referer;
      if (trailer.matches(p)) return HeaderKind::trailer;
      return HeaderKind::other;
    case 9:
      return x_real_ip.matches(p) ? HeaderKind::x_real_ip : HeaderKind::other;
    case 10:
      if (connection.matches(p)) return HeaderKind::connection;
      if (user_agent.matches(p)) return HeaderKind::user_agent;
      if (keep_alive.matches(p)) return HeaderKind::keep_alive;
      return HeaderKind::other;
    case 12:
      return x_request_id.matches(p) ? HeaderKind::x_request_id : HeaderKind::other;
    case 14:
      return content_length.matches(p) ? HeaderKind::content_length : HeaderKind::other;
    case 15:
      return x_forwarded_for.matches(p) ? HeaderKind::x_forwarded_for : HeaderKind::other;
    case 16:
      if (x_forwarded_host.matches(p)) return HeaderKind::x_forwarded_host;
      if (x_forwarded_port.matches(p)) return HeaderKind::x_forwarded_port;
      if (proxy_connection.matches(p)) return HeaderKind::proxy_connection;
      return HeaderKind::other;
    case 17:
      if (transfer_encoding.matches(p)) return HeaderKind::transfer_encoding;
      return x_forwarded_proto.matches(p) ? HeaderKind::x_forwarded_proto : HeaderKind::other;
    default:
      return HeaderKind::other;
  }
}

}  // namespace

HeaderKind classify_header(std::string_view n) {
  const HeaderKind kind = classify_known(n);
  if (kind == HeaderKind::other && std::memchr(n.data(), '_', n.size()) != nullptr) return HeaderKind::underscored;
  return kind;
}

}  // namespace sluice
