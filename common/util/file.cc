#include "util/file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

namespace rcc::util {

Result<std::string> read_file(const std::string& path, std::size_t max_bytes) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) {
    const int err = errno;
    return Error(err == ENOENT ? Errc::file_not_found : Errc::file_unreadable,
                 path + ": " + std::strerror(err));
  }
  std::string out;
  char buf[65536];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f.get())) > 0) {
    if (n > max_bytes - out.size()) {
      return Error(Errc::file_unreadable,
                   path + ": larger than " + std::to_string(max_bytes) + " bytes");
    }
    out.append(buf, n);
  }
  if (std::ferror(f.get())) {
    return Error(Errc::file_unreadable, path + ": " + std::strerror(errno));
  }
  return out;
}

}  // namespace rcc::util
