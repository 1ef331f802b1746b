#include "util/openssl.h"

#include <openssl/err.h>

#include <climits>

namespace rcc::util {

std::string openssl_error(std::string_view what) {
  std::string out(what);
  bool first = true;
  unsigned long code;
  while ((code = ERR_get_error()) != 0) {
    if (!first) continue;  // drain the rest: they only repeat the cause from higher up
    first = false;
    const char* reason = ERR_reason_error_string(code);
    const char* lib = ERR_lib_error_string(code);
    out += ": ";
    if (reason != nullptr) {
      out += reason;
    } else {
      char buf[256];
      ERR_error_string_n(code, buf, sizeof buf);
      out += buf;
    }
    if (lib != nullptr) {
      out += " (";
      out += lib;
      out += ')';
    }
  }
  return out;
}

void clear_openssl_errors() {
  ERR_clear_error();
}

BioPtr memory_bio(std::string_view data) {
  // BIO_new_mem_buf takes an int length; callers cap their inputs far below INT_MAX.
  const int n = data.size() > std::size_t(INT_MAX) ? INT_MAX : int(data.size());
  return BioPtr(BIO_new_mem_buf(data.data(), n));
}

std::string bio_contents(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  if (n <= 0 || data == nullptr) return {};
  return std::string(data, std::size_t(n));
}

}  // namespace rcc::util
