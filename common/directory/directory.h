#pragma once
// Users, devices and lines: what the call manager knows, as the gateway and the simulator need it.
//
// The reference deployment reads these from the call manager's database. Here the source is a
// TOML directory file (load_directory_file(); format in man/rcc-directory.5). The gateway looks
// users up through a UserSource (user_source.h): the file's users, or Active Directory over LDAP
// (ldap_source.h), whose users still take their devices from this file.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "diag/error.h"

namespace rcc::directory {

/// A line appearance on a device: a directory number in a partition.
struct Line {
  std::string dn;
  std::string partition;  ///< empty: the null partition
  bool operator==(const Line& o) const { return dn == o.dn && partition == o.partition; }
};

struct Device {
  std::string name;   ///< e.g. SEP0002FD3BB5C5
  std::string model;  ///< e.g. "Cisco 7975", "Cisco IP Communicator"
  bool registered = false;
  std::vector<Line> lines;

  /// Cisco IP Communicator: preferred in LCS mode for a shared line of two.
  bool is_ip_communicator() const;
};

struct User {
  std::string id;                   ///< user ID (the sign-in URI before '@')
  std::string email;                ///< may be empty
  std::string ocs_primary_address;  ///< the full sip: URI; may be empty
  bool rcc_enabled = false;
  std::string line_uri;              ///< tel:DN;phone-context=dialstring[;device=..][;partition=..]
  std::vector<std::string> devices;  ///< associated devices, by name
  /// The device the user is logged in to with Extension Mobility, if any: it counts as one of
  /// the user's devices (the reference deployment's LCS limit of two includes it).
  std::string extension_mobility;
  /// The user's telephoneNumber as the address book holds it (before normalization); may be
  /// empty. The client finds a caller's name by this number once it is normalized.
  std::string telephone_number;
  /// The call manager's access control groups of the end user, e.g. "Standard CCM End Users".
  std::vector<std::string> groups;
  /// False when the source does not say which groups the user is in (no `groups` key).
  bool groups_known = false;

  // Filled by sources that read users from a directory server (LDAP / Active Directory).
  std::string dn;  ///< the entry's distinguished name; empty for the directory file
  std::string display_name;
  /// What is wrong with the record, as the source found it. The gateway refuses such a user:
  /// bad_line as bad-line-uri (400), bad_entry as bad-directory-entry (403). With rcc_enabled
  /// false, `problem_detail` says why RCC is off (option flags, account disabled, another
  /// gateway's line server).
  enum class Problem { none, bad_line, bad_entry };
  Problem problem = Problem::none;
  std::string problem_detail;  ///< names the entry's DN and the attribute
};

/// The CTI application user the gateway signs in with.
struct ApplicationUser {
  std::string id;
  std::string password;
  std::vector<std::string> groups;  ///< access control groups, e.g. "Standard CTI Enabled"

  bool in_group(std::string_view group) const;
};

/// Access control groups of CUCM that matter for CTI.
constexpr const char* kCtiEnabled = "Standard CTI Enabled";
constexpr const char* kCtiControlAllDevices = "Standard CTI Allow Control of All Devices";
constexpr const char* kCtiConnectedXferConf =
    "Standard CTI Allow Control of Phones supporting Connected Xfer and conf";
/// The end-user group an RCC user must be in.
constexpr const char* kCcmEndUsers = "Standard CCM End Users";

class Directory {
 public:
  virtual ~Directory() = default;

  virtual const User* user_by_id(std::string_view id) const = 0;
  /// Case-insensitive, as mail addresses and SIP URIs compare.
  virtual const User* user_by_email(std::string_view email) const = 0;
  virtual const User* user_by_ocs_address(std::string_view sip_uri) const = 0;
  virtual const Device* device(std::string_view name) const = 0;
  /// Every device with an appearance of `dn` in `partition` (a shared line has several).
  virtual std::vector<const Device*> devices_on_line(std::string_view dn,
                                                     std::string_view partition) const = 0;
  /// Every device with an appearance of `dn` in any partition.
  virtual std::vector<const Device*> devices_with_dn(std::string_view dn) const = 0;
  virtual const ApplicationUser* application_user(std::string_view id) const = 0;

  virtual const std::vector<User>& users() const = 0;
  virtual const std::vector<Device>& devices() const = 0;
  /// Whether controlling a device of `model` needs kCtiConnectedXferConf (the call manager's
  /// newer phones do); a source that does not know says false.
  virtual bool needs_connected_xfer_conf(std::string_view model) const {
    (void)model;
    return false;
  }
};

/// The directory file's content, checked: unique names, devices that exist, valid numbers.
class FileDirectory : public Directory {
 public:
  const User* user_by_id(std::string_view id) const override;
  const User* user_by_email(std::string_view email) const override;
  const User* user_by_ocs_address(std::string_view sip_uri) const override;
  const Device* device(std::string_view name) const override;
  std::vector<const Device*> devices_on_line(std::string_view dn,
                                             std::string_view partition) const override;
  std::vector<const Device*> devices_with_dn(std::string_view dn) const override;
  const ApplicationUser* application_user(std::string_view id) const override;
  const std::vector<User>& users() const override { return users_; }
  const std::vector<Device>& devices() const override { return devices_; }
  bool needs_connected_xfer_conf(std::string_view model) const override;

 private:
  friend Result<FileDirectory> parse_directory(std::string_view text, const std::string& path);
  /// Case-folded key -> index: lookups stay O(log n) for a directory of 100,000 users.
  using Index = std::map<std::string, std::size_t>;
  const User* find_user(const Index& index, std::string_view key) const;
  void add_device(Device d);
  void add_user(User u);

  std::vector<User> users_;
  std::vector<Device> devices_;
  Index users_by_id_, users_by_email_, users_by_ocs_, devices_by_name_;
  std::map<std::string, std::vector<std::size_t>> devices_by_dn_;
  std::vector<ApplicationUser> application_users_;
  std::vector<std::string> xfer_conf_models_;  ///< [[model]] connected-xfer-conf = true
};

/// Parses directory-file text; the first problem is returned with file:line:column and the field.
Result<FileDirectory> parse_directory(std::string_view text, const std::string& path);
Result<FileDirectory> load_directory_file(const std::string& path);

}  // namespace rcc::directory
