#include "tls/server_context.h"

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/ocsp.h>
#include <openssl/x509v3.h>

#include <fstream>
#include <iterator>

#include "tls/security_policy.h"

namespace edgefront::tls {

struct ServerContext::Certificate {
  ~Certificate() { SSL_CTX_free(ctx); }
  SSL_CTX* ctx = nullptr;
  std::string ocsp;  // DER, empty when not stapling
};

namespace {

constexpr unsigned char kSessionIdContext[] = "edgefront";
// ALPN wire format: length-prefixed names, server preference first.
constexpr unsigned char kAlpnH2[] = "\x02h2\x08http/1.1";
constexpr unsigned char kAlpnH1[] = "\x08http/1.1";

Error tls_error(std::string what) {
  unsigned long code = ERR_peek_last_error();
  if (code != 0) {
    char text[256];
    ERR_error_string_n(code, text, sizeof text);
    what +=
        fmt::format(" ({})", ERR_reason_error_string(code) ? ERR_reason_error_string(code) : text);
  }
  ERR_clear_error();
  return make_error(ErrorKind::kInternal, Fault::kInternal, std::move(what));
}

std::vector<std::string> dns_names(X509* cert) {
  std::vector<std::string> names;
  auto* sans =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (sans != nullptr) {
    for (int i = 0; i < sk_GENERAL_NAME_num(sans); ++i) {
      const GENERAL_NAME* name = sk_GENERAL_NAME_value(sans, i);
      if (name->type != GEN_DNS) continue;
      const ASN1_IA5STRING* s = name->d.dNSName;
      names.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                         static_cast<size_t>(ASN1_STRING_length(s)));
    }
    GENERAL_NAMES_free(sans);
  }
  if (names.empty()) {  // no DNS SANs: the subject's common name, as older clients did
    char cn[256];
    int n = X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn, sizeof cn);
    if (n > 0) names.emplace_back(cn, static_cast<size_t>(n));
  }
  return names;
}

int select_alpn(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
                unsigned int inlen, void* arg) {
  bool h2 = arg != nullptr;
  const unsigned char* ours = h2 ? kAlpnH2 : kAlpnH1;
  unsigned int ours_len = h2 ? sizeof kAlpnH2 - 1 : sizeof kAlpnH1 - 1;
  unsigned char* chosen = nullptr;
  if (SSL_select_next_proto(&chosen, outlen, ours, ours_len, in, inlen) != OPENSSL_NPN_NEGOTIATED) {
    return SSL_TLSEXT_ERR_NOACK;  // no common protocol: carry on without ALPN (HTTP/1.1)
  }
  *out = chosen;
  return SSL_TLSEXT_ERR_OK;
}

int staple_ocsp(SSL* ssl, void* arg) {
  const auto* response = static_cast<const std::string*>(arg);
  if (response == nullptr || response->empty()) return SSL_TLSEXT_ERR_NOACK;
  // OpenSSL frees the response it is given, so it gets its own copy.
  void* copy = OPENSSL_memdup(response->data(), response->size());
  if (copy == nullptr) return SSL_TLSEXT_ERR_NOACK;
  SSL_set_tlsext_status_ocsp_resp(ssl, static_cast<unsigned char*>(copy),
                                  static_cast<long>(response->size()));
  return SSL_TLSEXT_ERR_OK;
}

Result<std::string> read_ocsp_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return make_error(ErrorKind::kInternal, Fault::kInternal,
                      fmt::format("cannot read OCSP response {}", path));
  }
  std::string der((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  OCSP_RESPONSE* parsed = d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(der.size()));
  if (parsed == nullptr) {
    ERR_clear_error();
    return make_error(ErrorKind::kInternal, Fault::kInternal,
                      fmt::format("{} is not a DER OCSP response", path));
  }
  OCSP_RESPONSE_free(parsed);
  return der;
}

// One SSL_CTX for one certificate with the policy applied. Callbacks are set by the caller.
Result<std::unique_ptr<ServerContext::Certificate>> load_certificate(
    const CertificateFiles& files, const SecurityPolicy& policy,
    std::chrono::seconds session_lifetime) {
  auto out = std::make_unique<ServerContext::Certificate>();
  out->ctx = SSL_CTX_new(TLS_server_method());
  SSL_CTX* ctx = out->ctx;
  if (ctx == nullptr) return tls_error("cannot create a TLS context");
  SSL_CTX_set_min_proto_version(ctx, policy.min_version);
  SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION);
  if (SSL_CTX_set_cipher_list(ctx, std::string(policy.cipher_list).c_str()) != 1 ||
      SSL_CTX_set_ciphersuites(ctx, std::string(policy.ciphersuites13).c_str()) != 1) {
    return tls_error(fmt::format("security policy {}: cipher list refused", policy.name));
  }
  SSL_CTX_set_options(
      ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_COMPRESSION);
  SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
  // Resumption is by tickets only (stateless across workers); no server-side session cache.
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_session_id_context(ctx, kSessionIdContext, sizeof kSessionIdContext - 1);
  SSL_CTX_set_timeout(ctx, static_cast<long>(session_lifetime.count()));

  if (SSL_CTX_use_certificate_chain_file(ctx, files.cert.c_str()) != 1) {
    return tls_error(fmt::format("cannot load certificate {}", files.cert));
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, files.key.c_str(), SSL_FILETYPE_PEM) != 1) {
    if (ERR_GET_REASON(ERR_peek_last_error()) == X509_R_KEY_VALUES_MISMATCH) {
      ERR_clear_error();
      return make_error(
          ErrorKind::kInternal, Fault::kInternal,
          fmt::format("private key {} does not match certificate {}", files.key, files.cert));
    }
    return tls_error(fmt::format("cannot load private key {}", files.key));
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    return tls_error(
        fmt::format("private key {} does not match certificate {}", files.key, files.cert));
  }
  if (!files.ocsp.empty()) {
    Result<std::string> der = read_ocsp_file(files.ocsp);
    if (!der.ok()) return der.error();
    out->ocsp = std::move(der.value());
    SSL_CTX_set_tlsext_status_cb(ctx, staple_ocsp);
    SSL_CTX_set_tlsext_status_arg(ctx, &out->ocsp);
  }
  return out;
}

}  // namespace

Status check_certificate_files(const CertificateFiles& files) {
  SecurityPolicy policy = *find_security_policy(kDefaultSecurityPolicy);
  Result<std::unique_ptr<ServerContext::Certificate>> loaded =
      load_certificate(files, policy, std::chrono::seconds(1));
  if (!loaded.ok()) return loaded.error();
  return ok_status();
}

Result<std::shared_ptr<const ServerContext>> ServerContext::load(const ServerSettings& settings,
                                                                 std::shared_ptr<TicketKeys> keys) {
  std::optional<SecurityPolicy> policy = find_security_policy(settings.security_policy);
  if (!policy) {
    return make_error(ErrorKind::kInternal, Fault::kInternal,
                      fmt::format("unknown security policy {}; expected one of {}",
                                  settings.security_policy, security_policy_names()));
  }
  if (settings.certificates.empty()) {
    return make_error(ErrorKind::kInternal, Fault::kInternal, "no certificate");
  }
  std::shared_ptr<ServerContext> out(new ServerContext());
  out->keys_ = std::move(keys);
  for (const CertificateFiles& files : settings.certificates) {
    auto cert = load_certificate(files, *policy, settings.session_lifetime);
    if (!cert.ok()) return cert.error();
    SSL_CTX* ctx = cert.value()->ctx;
    // Every context gets the same callbacks: OpenSSL asks the context the connection started
    // with for SNI and tickets, and the one SNI switched to for ALPN and OCSP.
    SSL_CTX_set_tlsext_servername_callback(ctx, on_server_name);
    SSL_CTX_set_tlsext_servername_arg(ctx, out.get());
    SSL_CTX_set_alpn_select_cb(ctx, select_alpn,
                               settings.offer_h2 ? const_cast<unsigned char*>(kAlpnH2) : nullptr);
    if (out->keys_) out->keys_->install(ctx);
    std::vector<std::string> names = dns_names(SSL_CTX_get0_certificate(ctx));
    out->index_.add(out->certificates_.size(), names);
    out->names_.push_back(std::move(names));
    out->certificates_.push_back(std::move(cert.value()));
  }
  return std::shared_ptr<const ServerContext>(std::move(out));
}

ServerContext::~ServerContext() = default;

SSL* ServerContext::new_ssl() const { return SSL_new(certificates_.front()->ctx); }

int ServerContext::on_server_name(SSL* ssl, int*, void* arg) {
  const auto* self = static_cast<const ServerContext*>(arg);
  const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
  size_t index = self->index_.select(name != nullptr ? std::string_view(name) : "");
  if (index != 0) SSL_set_SSL_CTX(ssl, self->certificates_[index]->ctx);
  return SSL_TLSEXT_ERR_OK;
}

}  // namespace edgefront::tls
