#include "upstream/tls_client.h"

#include <fmt/format.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <mutex>
#include <unordered_map>

namespace edgefront::upstream {

namespace {

// The newest resumable session per origin "host:port", shared by every worker.
class SessionCache {
 public:
  // Takes over the caller's reference.
  void put(const std::string& key, SSL_SESSION* session) {
    std::lock_guard lock(mu_);
    SSL_SESSION*& slot = sessions_[key];
    if (slot) SSL_SESSION_free(slot);
    slot = session;
  }
  // A new reference, or null.
  SSL_SESSION* get1(const std::string& key) {
    std::lock_guard lock(mu_);
    auto it = sessions_.find(key);
    if (it == sessions_.end()) return nullptr;
    SSL_SESSION_up_ref(it->second);
    return it->second;
  }

 private:
  std::mutex mu_;
  std::unordered_map<std::string, SSL_SESSION*> sessions_;
};

SessionCache& session_cache() {
  static SessionCache* cache = new SessionCache();  // never destroyed: workers may outlive main
  return *cache;
}

void free_key(void*, void* ptr, CRYPTO_EX_DATA*, int, long, void*) {
  delete static_cast<std::string*>(ptr);
}

// Where each connection's cache key lives (freed with the SSL object).
int key_index() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, free_key);
  return index;
}

// OpenSSL hands over every session the origin issues: after a TLS 1.2 handshake, and for
// each TLS 1.3 ticket (which arrives after the handshake). A copy is kept: OpenSSL marks the
// original unresumable when its connection ends without close_notify, which origins do all
// the time, and TLS 1.1+ (RFC 4346 F.1.4) no longer asks for that.
int remember_session(SSL* ssl, SSL_SESSION* session) {
  auto* key = static_cast<std::string*>(SSL_get_ex_data(ssl, key_index()));
  if (key == nullptr || !SSL_SESSION_is_resumable(session)) return 0;
  if (SSL_SESSION* copy = SSL_SESSION_dup(session)) session_cache().put(*key, copy);
  return 0;  // OpenSSL keeps (and frees) its own reference
}

}  // namespace

asio::ssl::context& origin_tls_context() {
  static asio::ssl::context* ctx = [] {
    auto* c = new asio::ssl::context(asio::ssl::context::tls_client);
    std::error_code ec;
    c->set_default_verify_paths(ec);
    c->set_verify_mode(asio::ssl::verify_peer, ec);
    SSL_CTX_set_min_proto_version(c->native_handle(), TLS1_2_VERSION);
    SSL_CTX_set_session_cache_mode(c->native_handle(),
                                   SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    SSL_CTX_sess_set_new_cb(c->native_handle(), remember_session);
    return c;
  }();
  return *ctx;
}

Result<std::unique_ptr<asio::ssl::stream<net::tcp::socket>>> make_origin_tls_stream(
    net::tcp::socket socket, const OriginEndpoint& endpoint) {
  const std::string& host = endpoint.host;
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
  if (const OriginTlsSettings* settings = endpoint.tls_settings.get()) {
    SSL_set_min_proto_version(ssl, settings->min_version);
    SSL_set_max_proto_version(ssl, settings->max_version);
    if (settings->min_version < TLS1_2_VERSION) {
      // OpenSSL 3 refuses TLS 1.0/1.1's SHA-1 signatures at the default security level.
      SSL_set_security_level(ssl, 0);
      SSL_set_cipher_list(ssl, "DEFAULT:@SECLEVEL=0");
    }
    if (settings->trust && SSL_set1_verify_cert_store(ssl, settings->trust.get()) != 1) {
      return make_error(ErrorKind::kConnectFailed, Fault::kInternal, "cannot set TLS CA store");
    }
  }
  auto key = std::make_unique<std::string>(endpoint.pool_key());
  if (SSL_SESSION* cached = session_cache().get1(*key)) {
    // A copy again: the connection's own session is marked unresumable if it ends badly.
    if (SSL_SESSION* copy = SSL_SESSION_dup(cached)) {
      SSL_set_session(ssl, copy);  // takes its own reference
      SSL_SESSION_free(copy);
    }
    SSL_SESSION_free(cached);
  }
  if (SSL_set_ex_data(ssl, key_index(), key.get()) == 1) key.release();
  return tls;
}

Result<std::shared_ptr<const OriginTlsSettings>> origin_tls_settings(const config::Origin& origin) {
  if (origin.ssl_protocols.empty() && origin.ca_file.empty()) return {nullptr};
  auto settings = std::make_shared<OriginTlsSettings>();
  settings->min_version = TLS1_2_VERSION;
  if (!origin.ssl_protocols.empty()) {
    // SSLv3 is not built into OpenSSL 3: a list naming it starts at TLS 1.0.
    constexpr std::pair<std::string_view, int> kVersions[] = {{"SSLv3", TLS1_VERSION},
                                                              {"TLSv1", TLS1_VERSION},
                                                              {"TLSv1.1", TLS1_1_VERSION},
                                                              {"TLSv1.2", TLS1_2_VERSION}};
    int lowest = TLS1_2_VERSION, highest = TLS1_VERSION;
    for (const std::string& name : origin.ssl_protocols) {
      for (const auto& [known, version] : kVersions) {
        if (name != known) continue;
        lowest = std::min(lowest, version);
        highest = std::max(highest, version);
      }
    }
    settings->min_version = lowest;
    settings->max_version = highest == TLS1_2_VERSION ? 0 : highest;
  }
  if (!origin.ca_file.empty()) {
    auto store = tls::load_trust_store(origin.ca_file);
    if (!store.ok()) return store.error();
    settings->trust = std::move(store.value());
  }
  settings->id =
      fmt::format("{}-{}-{}", settings->min_version, settings->max_version, origin.ca_file);
  return std::shared_ptr<const OriginTlsSettings>(std::move(settings));
}

}  // namespace edgefront::upstream
