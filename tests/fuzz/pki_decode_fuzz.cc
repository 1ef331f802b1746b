// Fuzzes the decoder behind `rcc-csr show` (PEM, DER, unarmoured base64, PKCS#7), then inspects
// and checks whatever it decoded: none of it may crash, hang or leak, whatever the bytes.
#include <cstddef>
#include <cstdint>
#include <ctime>
#include <string_view>

#include "pki/check.h"
#include "pki/decode.h"
#include "pki/encode.h"
#include "pki/inspect.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto decoded = rcc::pki::decode(input, "fuzz");
  if (!decoded) {
    (void)decoded.error().render();
    return 0;
  }
  for (const auto& object : decoded->objects) {
    switch (object.kind) {
      case rcc::pki::Kind::certificate:
        (void)rcc::pki::inspect(object.certificate.get());
        (void)rcc::pki::to_pem(object.certificate.get());
        break;
      case rcc::pki::Kind::request:
        (void)rcc::pki::inspect(object.request.get());
        (void)rcc::pki::to_der(object.request.get());
        break;
      case rcc::pki::Kind::private_key:
      case rcc::pki::Kind::public_key:
        (void)rcc::pki::inspect(object.key.get(), object.kind == rcc::pki::Kind::private_key);
        break;
    }
  }
  // The checks read every field of a certificate too; the others serve as its chain.
  const auto certs = decoded->certificates();
  if (!certs.empty()) {
    rcc::pki::CheckInput in;
    in.certificate = certs.front();
    in.untrusted.assign(certs.begin() + 1, certs.end());
    in.trusted.assign(certs.begin() + 1, certs.end());
    in.fqdn = "gw.example.com";
    in.now = 1767225600;  // fixed: the same input must behave the same way every run
    (void)rcc::pki::run_checks(in);
  }
  return 0;
}
