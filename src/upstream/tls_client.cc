#include "upstream/tls_client.h"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

namespace edgefront::upstream {

asio::ssl::context& origin_tls_context() {
  static asio::ssl::context* ctx = [] {
    auto* c = new asio::ssl::context(asio::ssl::context::tls_client);
    std::error_code ec;
    c->set_default_verify_paths(ec);
    c->set_verify_mode(asio::ssl::verify_peer, ec);
    SSL_CTX_set_min_proto_version(c->native_handle(), TLS1_2_VERSION);
    SSL_CTX_set_session_cache_mode(c->native_handle(), SSL_SESS_CACHE_CLIENT);
    return c;
  }();
  return *ctx;
}

Result<std::unique_ptr<asio::ssl::stream<net::tcp::socket>>> make_origin_tls_stream(
    net::tcp::socket socket, const std::string& host) {
  auto tls = std::make_unique<asio::ssl::stream<net::tcp::socket>>(std::move(socket),
                                                                   origin_tls_context());
  SSL* ssl = tls->native_handle();
  asio::ip::address literal;
  std::error_code ec;
  literal = asio::ip::make_address(host, ec);
  if (ec) {
    // SNI only for names (RFC 6066 forbids IP literals).
    SSL_set_tlsext_host_name(ssl, host.c_str());
    SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    if (SSL_set1_host(ssl, host.c_str()) != 1) {
      return make_error(ErrorKind::kConnectFailed, Fault::kInternal, "cannot set TLS host name");
    }
  } else {
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    if (X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str()) != 1) {
      return make_error(ErrorKind::kConnectFailed, Fault::kInternal, "cannot set TLS IP check");
    }
  }
  return tls;
}

}  // namespace edgefront::upstream
