#include "util/openssl.h"

#include <openssl/err.h>

#include <catch2/catch.hpp>

using namespace rcc;

TEST_CASE("openssl_error gives the first queued reason and empties the queue", "[util][openssl]") {
  const unsigned char garbage[] = {0x30, 0x03, 0x02, 0x01, 0x05};
  const unsigned char* p = garbage;
  X509* cert = d2i_X509(nullptr, &p, sizeof garbage);
  REQUIRE(cert == nullptr);
  REQUIRE(ERR_peek_error() != 0);
  const std::string message = util::openssl_error("decoding");
  CHECK_THAT(message, Catch::StartsWith("decoding: "));
  CHECK(message.size() > std::string("decoding: ").size());
  CHECK(ERR_peek_error() == 0);
}

TEST_CASE("openssl_error with an empty queue is just the context", "[util][openssl]") {
  util::clear_openssl_errors();
  CHECK(util::openssl_error("signing") == "signing");
}

TEST_CASE("memory BIOs read what they are given and return what was written", "[util][openssl]") {
  auto in = util::memory_bio("hello");
  char buf[8] = {};
  CHECK(BIO_read(in.get(), buf, sizeof buf) == 5);
  CHECK(std::string(buf) == "hello");
  util::BioPtr out(BIO_new(BIO_s_mem()));
  BIO_write(out.get(), "abc", 3);
  CHECK(util::bio_contents(out.get()) == "abc");
}
