#include "tls/ticket_keys.h"

#include <openssl/core_names.h>
#include <openssl/rand.h>

#include <cstring>

namespace edgefront::tls {

namespace {
// Our own ex_data slot (index 0 is OpenSSL's "app data", which Asio may use).
int keys_index() {
  static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

int ticket_callback(SSL* ssl, unsigned char key_name[16], unsigned char* iv, EVP_CIPHER_CTX* cipher,
                    EVP_MAC_CTX* mac, int encrypt) {
  SSL_CTX* ctx = SSL_get_SSL_CTX(ssl);
  auto* keys = static_cast<TicketKeys*>(SSL_CTX_get_ex_data(ctx, keys_index()));
  if (keys == nullptr) return -1;
  int result = keys->crypt(key_name, iv, cipher, mac, encrypt);
  // A TLS 1.3 client uses a ticket once, so a resumed handshake hands out a fresh one (2 =
  // accept and renew); without it a client that chains resumptions gets every other one full.
  if (!encrypt && result == 1 && SSL_version(ssl) == TLS1_3_VERSION) return 2;
  return result;
}
}  // namespace

TicketKeys::TicketKeys() : current_(make_key()) {}

TicketKeys::Key TicketKeys::make_key() {
  Key k;
  k.valid = RAND_bytes(k.name.data(), k.name.size()) == 1 &&
            RAND_priv_bytes(k.aes.data(), k.aes.size()) == 1 &&
            RAND_priv_bytes(k.hmac.data(), k.hmac.size()) == 1;
  return k;
}

void TicketKeys::rotate() {
  Key next = make_key();
  std::lock_guard lock(mutex_);
  previous_ = current_;
  current_ = next;
}

void TicketKeys::install(SSL_CTX* ctx) {
  SSL_CTX_set_ex_data(ctx, keys_index(), this);
  SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, ticket_callback);
}

int TicketKeys::use(const Key& key, unsigned char* iv, EVP_CIPHER_CTX* cipher, EVP_MAC_CTX* mac,
                    int encrypt) {
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_octet_string(
          OSSL_MAC_PARAM_KEY, const_cast<unsigned char*>(key.hmac.data()), key.hmac.size()),
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, const_cast<char*>("SHA256"), 0),
      OSSL_PARAM_construct_end()};
  if (EVP_MAC_CTX_set_params(mac, params) != 1) return -1;
  int ok = encrypt ? EVP_EncryptInit_ex(cipher, EVP_aes_256_cbc(), nullptr, key.aes.data(), iv)
                   : EVP_DecryptInit_ex(cipher, EVP_aes_256_cbc(), nullptr, key.aes.data(), iv);
  return ok == 1 ? 1 : -1;
}

int TicketKeys::crypt(unsigned char key_name[16], unsigned char* iv, EVP_CIPHER_CTX* cipher,
                      EVP_MAC_CTX* mac, int encrypt) {
  Key key;
  bool old = false;
  {
    std::lock_guard lock(mutex_);
    if (encrypt) {
      key = current_;
    } else if (current_.valid && std::memcmp(key_name, current_.name.data(), 16) == 0) {
      key = current_;
    } else if (previous_.valid && std::memcmp(key_name, previous_.name.data(), 16) == 0) {
      key = previous_;
      old = true;
    } else {
      return 0;
    }
  }
  if (!key.valid) return -1;
  if (encrypt) {
    if (RAND_bytes(iv, EVP_MAX_IV_LENGTH) != 1) return -1;
    std::memcpy(key_name, key.name.data(), 16);
    return use(key, iv, cipher, mac, 1);
  }
  int r = use(key, iv, cipher, mac, 0);
  return r == 1 && old ? 2 : r;
}

}  // namespace edgefront::tls
