#pragma once
// Writing certificates, requests and public keys as PEM or DER (private keys: pki/key.h).

#include <string>

#include "util/openssl.h"

namespace rcc::pki {

std::string to_pem(const X509* cert);
std::string to_der(const X509* cert);
std::string to_pem(const X509_REQ* req);
std::string to_der(const X509_REQ* req);
std::string public_key_pem(const EVP_PKEY* key);
std::string public_key_der(const EVP_PKEY* key);

}  // namespace rcc::pki
