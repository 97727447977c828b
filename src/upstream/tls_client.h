// TLS toward origins: one client context for the process (OpenSSL contexts are safe to share
// once configured), verifying against the system trust store (SSL_CERT_FILE/SSL_CERT_DIR
// override it, as in OpenSSL) and the origin's DomainName. New connections to an origin resume
// the last session it gave out (TLS 1.2 session or TLS 1.3 ticket), so only the first
// connection pays for a full handshake.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "base/result.h"
#include "config/config.h"
#include "net/asio.h"
#include "tls/trust_store.h"
#include "upstream/origin_connection.h"

namespace edgefront::upstream {

asio::ssl::context& origin_tls_context();

// An origin's OriginSslProtocols and CA file, resolved once per config.
struct OriginTlsSettings {
  int min_version = 0;    // TLS1_VERSION ... ; the lowest listed protocol
  int max_version = 0;    // 0: no upper bound (TLS 1.3 allowed when TLSv1.2 is listed)
  tls::TrustStore trust;  // null: the system trust store
  std::string id;         // tells pool buckets apart
};

// Null when the origin uses the defaults (TLS 1.2 and up, the system store).
Result<std::shared_ptr<const OriginTlsSettings>> origin_tls_settings(const config::Origin& origin);

// Wraps a connected socket in TLS with SNI, host name verification and, when one is known for
// host:port, the session to resume.
Result<std::unique_ptr<asio::ssl::stream<net::tcp::socket>>> make_origin_tls_stream(
    net::tcp::socket socket, const OriginEndpoint& endpoint);

}  // namespace edgefront::upstream
