// SNI selection: exact host, wildcard, the snapshot's default certificate,
// then the fallback. Session tickets use the base context's keys whatever
// certificate was picked, so resumption survives snapshot changes.
#include "proxy/tls/tls_server.h"

namespace sluice {
namespace {

int table_index() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

}  // namespace

TlsServer::TlsServer(std::shared_ptr<const TlsCertificate> fallback) : fallback_(std::move(fallback)) {
  SSL_CTX* ctx = fallback_->context->native_handle();
  SSL_CTX_set_tlsext_servername_callback(ctx, &TlsServer::on_server_name);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
}

void TlsServer::attach(SSL* ssl, const RouteTable* table) {
  SSL_set_ex_data(ssl, table_index(), const_cast<RouteTable*>(table));
}

int TlsServer::on_server_name(SSL* ssl, int*, void*) {
  const auto* table = static_cast<const RouteTable*>(SSL_get_ex_data(ssl, table_index()));
  if (!table) return SSL_TLSEXT_ERR_OK;
  const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
  const TlsCertificate* cert = table->certificate_for(name ? name : "");
  if (cert) SSL_set_SSL_CTX(ssl, cert->context->native_handle());
  return SSL_TLSEXT_ERR_OK;
}

}  // namespace sluice
