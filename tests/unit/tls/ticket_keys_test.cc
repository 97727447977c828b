#include "tls/ticket_keys.h"

#include <gtest/gtest.h>
#include <openssl/core_names.h>

#include <array>
#include <memory>

namespace edgefront::tls {
namespace {

// One call of the ticket callback with fresh OpenSSL contexts, as the library would make it.
struct Call {
  Call() : cipher(EVP_CIPHER_CTX_new()), mac_alg(EVP_MAC_fetch(nullptr, "HMAC", nullptr)) {
    mac = EVP_MAC_CTX_new(mac_alg);
  }
  ~Call() {
    EVP_MAC_CTX_free(mac);
    EVP_MAC_free(mac_alg);
    EVP_CIPHER_CTX_free(cipher);
  }
  EVP_CIPHER_CTX* cipher;
  EVP_MAC* mac_alg;
  EVP_MAC_CTX* mac;
};

struct Ticket {
  std::array<unsigned char, 16> name{};
  std::array<unsigned char, EVP_MAX_IV_LENGTH> iv{};
};

Ticket issue(TicketKeys& keys) {
  Ticket t;
  Call c;
  EXPECT_EQ(keys.crypt(t.name.data(), t.iv.data(), c.cipher, c.mac, 1), 1);
  return t;
}

int accept(TicketKeys& keys, Ticket t) {
  Call c;
  return keys.crypt(t.name.data(), t.iv.data(), c.cipher, c.mac, 0);
}

TEST(TicketKeys, CurrentKeyDecrypts) {
  TicketKeys keys;
  Ticket t = issue(keys);
  EXPECT_EQ(accept(keys, t), 1);
}

TEST(TicketKeys, PreviousKeyStillDecryptsAndAsksForRenewal) {
  TicketKeys keys;
  Ticket t = issue(keys);
  keys.rotate();
  EXPECT_EQ(accept(keys, t), 2);
  Ticket fresh = issue(keys);
  EXPECT_NE(fresh.name, t.name);
  EXPECT_EQ(accept(keys, fresh), 1);
}

TEST(TicketKeys, KeysTwoRotationsOldAreForgotten) {
  TicketKeys keys;
  Ticket t = issue(keys);
  keys.rotate();
  keys.rotate();
  EXPECT_EQ(accept(keys, t), 0);  // full handshake
}

TEST(TicketKeys, UnknownKeyNameMeansFullHandshake) {
  TicketKeys keys;
  Ticket t = issue(keys);
  t.name[0] ^= 0xff;
  EXPECT_EQ(accept(keys, t), 0);
}

}  // namespace
}  // namespace edgefront::tls
