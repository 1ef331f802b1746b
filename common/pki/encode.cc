#include "pki/encode.h"

#include <openssl/pem.h>

namespace rcc::pki {
namespace {

template <class T, class F>
std::string write(const T* object, F writer) {
  util::BioPtr bio(BIO_new(BIO_s_mem()));
  if (writer(bio.get(), object) != 1) {
    util::clear_openssl_errors();
    return {};
  }
  return util::bio_contents(bio.get());
}

}  // namespace

std::string to_pem(const X509* cert) {
  return write(cert, PEM_write_bio_X509);
}
std::string to_der(const X509* cert) {
  return write(cert, i2d_X509_bio);
}
std::string to_pem(const X509_REQ* req) {
  return write(req, PEM_write_bio_X509_REQ);
}
std::string to_der(const X509_REQ* req) {
  return write(req, i2d_X509_REQ_bio);
}
std::string public_key_pem(const EVP_PKEY* key) {
  return write(key, PEM_write_bio_PUBKEY);
}
std::string public_key_der(const EVP_PKEY* key) {
  return write(key, i2d_PUBKEY_bio);
}

}  // namespace rcc::pki
