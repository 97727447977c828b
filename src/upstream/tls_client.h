// TLS toward origins: one client context for the process (OpenSSL contexts are safe to share
// once configured), verifying against the system trust store (SSL_CERT_FILE/SSL_CERT_DIR
// override it, as in OpenSSL) and the origin's DomainName.
#pragma once

#include <memory>
#include <string>

#include "base/result.h"
#include "net/asio.h"

namespace edgefront::upstream {

asio::ssl::context& origin_tls_context();

// Wraps a connected socket in TLS with SNI and host name verification set up.
Result<std::unique_ptr<asio::ssl::stream<net::tcp::socket>>> make_origin_tls_stream(
    net::tcp::socket socket, const std::string& host);

}  // namespace edgefront::upstream
