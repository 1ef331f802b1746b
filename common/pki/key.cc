#include "pki/key.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/objects.h>
#include <openssl/pem.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "pki/decode.h"
#include "pki/fingerprint.h"

namespace rcc::pki {

std::string KeySpec::text() const {
  if (algorithm == KeyAlgorithm::rsa) return "rsa:" + std::to_string(rsa_bits);
  return curve == "P-384" ? "ec:p384" : "ec:p256";
}

Result<KeySpec> parse_key_spec(std::string_view text) {
  KeySpec spec;
  if (text == "rsa:2048" || text == "rsa:3072" || text == "rsa:4096") {
    spec.rsa_bits = std::stoi(std::string(text.substr(4)));
    return spec;
  }
  if (text == "ec:p256" || text == "ec:p384") {
    spec.algorithm = KeyAlgorithm::ec;
    spec.curve = text == "ec:p256" ? "P-256" : "P-384";
    return spec;
  }
  std::string accepted;
  for (const char* s : kKeySpecs)
    accepted += std::string(accepted.empty() ? "" : ", ") + s;
  return Error(Errc::bad_key_spec,
               "key type '" + std::string(text) + "' is not one of " + accepted);
}

Result<util::EvpPkeyPtr> generate_key(const KeySpec& spec) {
  util::clear_openssl_errors();
  util::EvpPkeyPtr key;
  if (spec.algorithm == KeyAlgorithm::rsa) {
    key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", std::size_t(spec.rsa_bits)));
  } else {
    key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", spec.curve.c_str()));
  }
  if (!key) {
    return Error(Errc::key_generation, util::openssl_error("generating a " + spec.text() + " key"));
  }
  return key;
}

std::string KeyDescription::text() const {
  if (!curve.empty()) return algorithm + " " + curve;
  return algorithm + " " + std::to_string(bits);
}

KeyDescription describe_key(const EVP_PKEY* key) {
  KeyDescription d;
  if (key == nullptr) return d;
  if (EVP_PKEY_is_a(key, "RSA") || EVP_PKEY_is_a(key, "RSA-PSS")) {
    d.algorithm = "RSA";
  } else if (EVP_PKEY_is_a(key, "EC")) {
    d.algorithm = "EC";
    char group[80] = {};
    std::size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                       &len) == 1) {
      const char* nist = EC_curve_nid2nist(OBJ_txt2nid(group));
      d.curve = nist != nullptr ? nist : group;
    }
  } else {
    const char* name = EVP_PKEY_get0_type_name(key);
    d.algorithm = name != nullptr ? name : "unknown";
    for (auto& c : d.algorithm)
      if (c >= 'a' && c <= 'z') c = char(c - 'a' + 'A');
  }
  d.bits = EVP_PKEY_get_bits(key);
  util::clear_openssl_errors();
  return d;
}

bool usable_for_tls_identity(const KeyDescription& key) {
  if (key.algorithm == "RSA") return true;
  return key.algorithm == "EC" &&
         (key.curve == "P-256" || key.curve == "P-384" || key.curve == "P-521");
}

std::string public_key_sha256(const EVP_PKEY* key) {
  unsigned char* der = nullptr;
  const int n = i2d_PUBKEY(key, &der);
  if (n <= 0) {
    util::clear_openssl_errors();
    return {};
  }
  util::OpenSslBytes owned(der);
  return sha256_hex(std::string_view(reinterpret_cast<const char*>(der), std::size_t(n)));
}

bool keys_match(const EVP_PKEY* public_key, const EVP_PKEY* key) {
  const bool same = EVP_PKEY_eq(public_key, key) == 1;
  util::clear_openssl_errors();
  return same;
}

std::string private_key_pem(const EVP_PKEY* key) {
  util::BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  return util::bio_contents(bio.get());
}

std::string private_key_der(const EVP_PKEY* key) {
  util::BioPtr bio(BIO_new(BIO_s_mem()));
  i2d_PKCS8PrivateKey_bio(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  return util::bio_contents(bio.get());
}

namespace {

std::string octal_mode(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", unsigned(mode & 07777));
  return buf;
}

}  // namespace

Result<util::EvpPkeyPtr> load_private_key(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 077) != 0) {
    return Error(Errc::insecure_permissions,
                 path + ": mode " + octal_mode(st.st_mode) +
                     " lets other users read or change the private key (fix: chmod 600 " + path +
                     ")");
  }
  auto decoded = load(path);
  if (!decoded) return decoded.error();
  for (auto& object : decoded->objects) {
    if (object.kind == Kind::private_key) return std::move(object.key);
  }
  return Error(Errc::wrong_kind, path + ": holds a " +
                                     std::string(kind_name(decoded->objects.front().kind)) +
                                     ", not a private key");
}

Result<void> write_file(const std::string& path, std::string_view contents, FileMode mode,
                        bool force) {
  const mode_t perms = mode == FileMode::private_key ? 0600 : 0644;
  const int flags = O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC;
  int fd = ::open(path.c_str(), flags, perms);
  if (fd < 0 && errno == EEXIST) {
    if (!force) return Error(Errc::file_exists, path + ": exists (give --force to replace it)");
    // Replace rather than truncate: a new inode gets the new mode, whatever the old one had.
    if (::unlink(path.c_str()) != 0) {
      return Error(Errc::write_failed, path + ": cannot replace: " + std::strerror(errno));
    }
    fd = ::open(path.c_str(), flags, perms);
  }
  if (fd < 0) return Error(Errc::write_failed, path + ": " + std::strerror(errno));
  if (mode == FileMode::private_key) ::fchmod(fd, 0600);
  std::size_t done = 0;
  while (done < contents.size()) {
    const ssize_t n = ::write(fd, contents.data() + done, contents.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = errno;
      ::close(fd);
      return Error(Errc::write_failed, path + ": " + std::strerror(err));
    }
    done += std::size_t(n);
  }
  if (::close(fd) != 0) return Error(Errc::write_failed, path + ": " + std::strerror(errno));
  return {};
}

}  // namespace rcc::pki
