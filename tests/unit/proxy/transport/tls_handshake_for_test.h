// Drives a real OpenSSL client against a TlsServer's context over an
// in-memory BIO pair, and reports what was negotiated.
#pragma once

#include <string>
#include <vector>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "proxy/transport/tls_server.h"

namespace sluice::test {

struct ClientHello {
  std::string sni;                 // empty: no SNI
  std::vector<std::string> alpn;   // empty: no ALPN extension
  int version = 0;                 // 0: whatever both sides allow; else min = max = this
  std::string ciphers;             // TLS 1.2 cipher list, when not the client's default
  SSL_SESSION* session = nullptr;  // resume this one
};

struct Negotiated {
  bool ok = false;
  std::string alpn;           // empty: none selected
  int version = 0;
  X509* peer = nullptr;       // owned: freed by the destructor
  SSL_SESSION* session = nullptr;  // owned: what the client may resume next
  bool reused = false;
  std::string server_error;   // OpenSSL's reason when the server side failed
  Negotiated() = default;
  Negotiated(const Negotiated&) = delete;
  Negotiated(Negotiated&& o) noexcept
      : ok(o.ok), alpn(std::move(o.alpn)), version(o.version), peer(o.peer), session(o.session),
        reused(o.reused), server_error(std::move(o.server_error)) {
    o.peer = nullptr;
    o.session = nullptr;
  }
  ~Negotiated() {
    X509_free(peer);
    SSL_SESSION_free(session);
  }
};

inline std::string wire_alpn_for_test(const std::vector<std::string>& names) {
  std::string wire;
  for (const std::string& n : names) wire += static_cast<char>(n.size()) + n;
  return wire;
}

// Both sides step until each has finished or one has failed; a BIO pair
// needs no sockets, so nothing here can block or wait on time.
inline bool step_handshake_for_test(SSL* client, SSL* server, std::string& server_error) {
  bool client_done = false, server_done = false;
  for (int round = 0; round < 32 && !(client_done && server_done); ++round) {
    for (SSL* side : {client, server}) {
      bool& done = side == client ? client_done : server_done;
      if (done) continue;
      int r = SSL_do_handshake(side);
      if (r == 1) { done = true; continue; }
      int e = SSL_get_error(side, r);
      if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) continue;
      if (side == server) {
        unsigned long code = ERR_peek_error();
        const char* reason = code ? ERR_reason_error_string(code) : nullptr;
        server_error = reason ? reason : "failed";
      }
      ERR_clear_error();
      return false;
    }
  }
  return client_done && server_done;
}

inline Negotiated handshake_for_test(TlsServer& server_side, const RouteTable* table, const ClientHello& hello) {
  SSL_CTX* cctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_verify(cctx, SSL_VERIFY_NONE, nullptr);
  // The caller holds the session: a client cache would mark it not
  // resumable when SSL_CTX_free flushes it.
  SSL_CTX_set_session_cache_mode(cctx, SSL_SESS_CACHE_OFF);
  if (hello.version) {
    SSL_CTX_set_security_level(cctx, 0);  // let the client offer what the server must refuse
    SSL_CTX_set_min_proto_version(cctx, hello.version);
    SSL_CTX_set_max_proto_version(cctx, hello.version);
  }
  if (!hello.ciphers.empty()) SSL_CTX_set_cipher_list(cctx, hello.ciphers.c_str());
  SSL* client = SSL_new(cctx);
  SSL* server = SSL_new(server_side.context().native_handle());
  TlsServer::attach(server, table);
  BIO *client_bio = nullptr, *server_bio = nullptr;
  BIO_new_bio_pair(&client_bio, 0, &server_bio, 0);
  SSL_set_bio(client, client_bio, client_bio);
  SSL_set_bio(server, server_bio, server_bio);
  if (!hello.sni.empty()) SSL_set_tlsext_host_name(client, hello.sni.c_str());
  if (!hello.alpn.empty()) {
    std::string wire = wire_alpn_for_test(hello.alpn);
    SSL_set_alpn_protos(client, reinterpret_cast<const unsigned char*>(wire.data()),
                        static_cast<unsigned int>(wire.size()));
  }
  if (hello.session) SSL_set_session(client, hello.session);
  SSL_set_connect_state(client);
  SSL_set_accept_state(server);

  Negotiated out;
  out.ok = step_handshake_for_test(client, server, out.server_error);
  if (out.ok) {
    const unsigned char* proto = nullptr;
    unsigned int length = 0;
    SSL_get0_alpn_selected(client, &proto, &length);
    out.alpn.assign(reinterpret_cast<const char*>(proto), length);
    out.version = SSL_version(client);
    out.peer = SSL_get1_peer_certificate(client);
    out.reused = SSL_session_reused(client) == 1;
    char byte;
    SSL_read(client, &byte, 1);  // takes in TLS 1.3 tickets the server sent after its Finished
    ERR_clear_error();
    out.session = SSL_get1_session(client);
    SSL_shutdown(client);  // without a close_notify OpenSSL drops the session as from a broken connection
  }
  TlsServer::attach(server, nullptr);
  SSL_free(server);
  SSL_free(client);
  SSL_CTX_free(cctx);
  return out;
}

}  // namespace sluice::test
