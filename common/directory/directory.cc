#include "directory/directory.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>

#include <toml++/toml.h>

#include "config/config.h"
#include "util/file.h"
#include "util/text.h"

namespace rcc::directory {
namespace {

using util::iequals;

// A directory number as CUCM allows it: digits, '*', '#', an optional leading '+'.
bool valid_dn(std::string_view dn) {
  if (dn.empty() || dn.size() > 50) return false;
  for (std::size_t i = 0; i < dn.size(); ++i) {
    const char c = dn[i];
    if (!((c >= '0' && c <= '9') || c == '*' || c == '#' || (c == '+' && i == 0))) return false;
  }
  return true;
}

std::string required(config::Section& s, std::string_view key) {
  auto v = s.string(key);
  if (!v || v->empty()) s.fail_key(key, "is required");
  return *v;
}

// Element `index` of a `[[kind]]` array: reads its required `key` (the element's name), and
// gives a Section whose errors say which element: "[[user]] #2 (jsmith) email: ...".
config::Section element(const config::Document& doc, const toml::table& table, const char* kind,
                        std::size_t index, const char* key, std::string& name) {
  const std::string label = std::string("[[") + kind + "]] #" + std::to_string(index + 1);
  config::Section anonymous(doc, table, label);
  name = required(anonymous, key);
  config::Section s(doc, table, label + " (" + name + ")");
  s.string(key);  // read: not an unknown key
  return s;
}

}  // namespace

bool Device::is_ip_communicator() const {
  return model.find("IP Communicator") != std::string::npos;
}

bool ApplicationUser::in_group(std::string_view group) const {
  return std::find(groups.begin(), groups.end(), group) != groups.end();
}

namespace {
std::string folded(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}
}  // namespace

const User* FileDirectory::find_user(const Index& index, std::string_view key) const {
  const auto it = index.find(folded(key));
  return it == index.end() ? nullptr : &users_[it->second];
}

const User* FileDirectory::user_by_id(std::string_view id) const {
  return find_user(users_by_id_, id);
}

const User* FileDirectory::user_by_email(std::string_view email) const {
  return find_user(users_by_email_, email);
}

const User* FileDirectory::user_by_ocs_address(std::string_view sip_uri) const {
  return find_user(users_by_ocs_, sip_uri);
}

const Device* FileDirectory::device(std::string_view name) const {
  const auto it = devices_by_name_.find(folded(name));
  return it == devices_by_name_.end() ? nullptr : &devices_[it->second];
}

std::vector<const Device*> FileDirectory::devices_on_line(std::string_view dn,
                                                          std::string_view partition) const {
  std::vector<const Device*> out;
  const auto it = devices_by_dn_.find(std::string(dn));
  if (it == devices_by_dn_.end()) return out;
  for (const std::size_t i : it->second) {
    const Device& d = devices_[i];
    for (const auto& l : d.lines) {
      if (l.dn == dn && l.partition == partition) {
        out.push_back(&d);
        break;
      }
    }
  }
  return out;
}

std::vector<const Device*> FileDirectory::devices_with_dn(std::string_view dn) const {
  std::vector<const Device*> out;
  if (const auto it = devices_by_dn_.find(std::string(dn)); it != devices_by_dn_.end())
    for (const std::size_t i : it->second)
      out.push_back(&devices_[i]);
  return out;
}

void FileDirectory::add_device(Device d) {
  const std::size_t i = devices_.size();
  devices_by_name_.emplace(folded(d.name), i);
  for (const auto& l : d.lines) {
    auto& on_dn = devices_by_dn_[l.dn];
    if (on_dn.empty() || on_dn.back() != i) on_dn.push_back(i);
  }
  devices_.push_back(std::move(d));
}

void FileDirectory::add_user(User u) {
  const std::size_t i = users_.size();
  users_by_id_.emplace(folded(u.id), i);
  if (!u.email.empty()) users_by_email_.emplace(folded(u.email), i);
  if (!u.ocs_primary_address.empty()) users_by_ocs_.emplace(folded(u.ocs_primary_address), i);
  users_.push_back(std::move(u));
}

bool FileDirectory::needs_connected_xfer_conf(std::string_view model) const {
  return std::any_of(xfer_conf_models_.begin(), xfer_conf_models_.end(),
                     [&](const std::string& m) { return iequals(m, model); });
}

const ApplicationUser* FileDirectory::application_user(std::string_view id) const {
  for (const auto& a : application_users_) {
    if (a.id == id) return &a;
  }
  return nullptr;
}

Result<FileDirectory> parse_directory(std::string_view text, const std::string& path) {
  auto doc = config::parse(text, path);
  if (!doc) return doc.error();
  FileDirectory dir;
  try {
    config::reject_unknown_sections(*doc, {"device", "user", "application-user", "model"});
    config::Section top(*doc, doc->table(), "directory");

    const auto model_tables = top.tables("model");
    for (std::size_t i = 0; i < model_tables.size(); ++i) {
      std::string name;
      config::Section s = element(*doc, *model_tables[i], "model", i, "name", name);
      if (s.boolean("connected-xfer-conf").value_or(false)) dir.xfer_conf_models_.push_back(name);
      s.reject_unknown_keys();
    }

    std::map<std::string, std::size_t> device_index;
    const auto device_tables = top.tables("device");
    for (std::size_t i = 0; i < device_tables.size(); ++i) {
      Device d;
      config::Section named = element(*doc, *device_tables[i], "device", i, "name", d.name);
      d.model = named.string("model").value_or("");
      d.registered = named.boolean("registered").value_or(false);
      const auto lines = named.tables("lines");
      for (std::size_t k = 0; k < lines.size(); ++k) {
        config::Section ls(*doc, *lines[k], named.label() + " lines[" + std::to_string(k) + "]");
        Line line;
        line.dn = required(ls, "dn");
        if (!valid_dn(line.dn))
          ls.fail_key("dn",
                      "'" + line.dn +
                          "' is not a directory number (digits, * and #, an optional leading +)");
        line.partition = ls.string("partition").value_or("");
        ls.reject_unknown_keys();
        d.lines.push_back(std::move(line));
      }
      named.reject_unknown_keys();
      std::string key = d.name;
      std::transform(key.begin(), key.end(), key.begin(), ::toupper);
      if (!device_index.emplace(key, i).second) {
        named.fail_key("name", "device '" + d.name + "' is defined twice");
      }
      dir.add_device(std::move(d));
    }

    const auto user_tables = top.tables("user");
    for (std::size_t i = 0; i < user_tables.size(); ++i) {
      User u;
      config::Section s = element(*doc, *user_tables[i], "user", i, "id", u.id);
      u.email = s.string("email").value_or("");
      u.ocs_primary_address = s.string("ocs-primary-address").value_or("");
      if (!u.ocs_primary_address.empty() && u.ocs_primary_address.rfind("sip:", 0) != 0) {
        s.fail_key("ocs-primary-address",
                   "must be a sip: URI, got '" + u.ocs_primary_address + "'");
      }
      u.rcc_enabled = s.boolean("rcc-enabled").value_or(false);
      u.line_uri = s.string("line-uri").value_or("");
      if (!u.line_uri.empty() && u.line_uri.rfind("tel:", 0) != 0) {
        s.fail_key("line-uri", "must be a tel: URI, got '" + u.line_uri + "'");
      }
      u.devices = s.strings("devices").value_or(std::vector<std::string>{});
      for (const auto& name : u.devices) {
        if (!dir.device(name)) s.fail_key("devices", "no device named '" + name + "' in the file");
      }
      u.extension_mobility = s.string("extension-mobility").value_or("");
      if (!u.extension_mobility.empty() && !dir.device(u.extension_mobility))
        s.fail_key("extension-mobility",
                   "no device named '" + u.extension_mobility + "' in the file");
      u.telephone_number = s.string("telephone-number").value_or("");
      if (auto groups = s.strings("groups")) {
        for (const auto& g : *groups)
          if (util::trim(g).empty()) s.fail_key("groups", "an empty group name");
        u.groups = std::move(*groups);
        u.groups_known = true;
      }
      s.reject_unknown_keys();
      if (dir.user_by_id(u.id)) s.fail_key("id", "user '" + u.id + "' is defined twice");
      dir.add_user(std::move(u));
    }

    const auto app_tables = top.tables("application-user");
    for (std::size_t i = 0; i < app_tables.size(); ++i) {
      ApplicationUser a;
      config::Section s = element(*doc, *app_tables[i], "application-user", i, "id", a.id);
      const auto password = s.string("password");
      const auto password_file = s.string("password-file");
      if (password && password_file)
        s.fail_key("password-file", "give password or password-file, not both");
      if (password) {
        a.password = *password;
      } else if (password_file) {
        std::filesystem::path p(*password_file);
        if (p.is_relative()) p = std::filesystem::path(path).parent_path() / p;
        auto secret = util::read_file(p.string(), 4096);
        if (!secret) s.fail_key("password-file", secret.error().detail());
        a.password = *secret;
        while (!a.password.empty() && (a.password.back() == '\n' || a.password.back() == '\r'))
          a.password.pop_back();
      }
      a.groups = s.strings("groups").value_or(std::vector<std::string>{});
      for (const auto& g : a.groups) {
        if (g != kCtiEnabled && g != kCtiControlAllDevices && g != kCtiConnectedXferConf) {
          s.fail_key("groups", "unknown access control group '" + g + "'");
        }
      }
      s.reject_unknown_keys();
      if (dir.application_user(a.id))
        s.fail_key("id", "application user '" + a.id + "' is defined twice");
      dir.application_users_.push_back(std::move(a));
    }
  } catch (const Exception& e) {
    return e.error();
  }
  return dir;
}

Result<FileDirectory> load_directory_file(const std::string& path) {
  auto text = util::read_file(path);
  if (!text) return text.error();
  return parse_directory(*text, path);
}

}  // namespace rcc::directory
