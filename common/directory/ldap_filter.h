#pragma once
// LDAP search filters as the LDAP user source builds them (RFC 4515 string form). Every value that
// comes from outside (a sign-in URI, an e-mail address) goes through escape_filter_value(): a From
// URI with '*', '(' , ')' or '\' must not widen a search ("*)(uid=*" finds nobody).

#include <string>
#include <string_view>

#include "diag/error.h"

namespace rcc::directory {

/// RFC 4515 §3 escaping of an assertion value: '*', '(', ')', '\' and NUL become \2a \28 \29 \5c
/// \00; so do the other control characters and DEL. UTF-8 passes as it is.
std::string escape_filter_value(std::string_view value);

/// "(attr=value)" with the value escaped.
std::string equality_filter(std::string_view attribute, std::string_view value);

/// "(&ab)": both filters (each a parenthesized filter).
std::string and_filter(std::string_view a, std::string_view b);

/// Whether `name` is an attribute description an LDAP server accepts (RFC 4512 §2.5: a
/// descriptor, letters, digits and '-' starting with a letter, or a numeric OID), so that a
/// misspelt [directory.ldap.attributes] value is a configuration error, not a filter error.
bool valid_attribute_name(std::string_view name);

/// Checks the shape of a configured filter: one parenthesized filter, parentheses balanced, no
/// unescaped NUL, '\' followed by two hex digits. (The server checks the rest.)
Result<void> check_filter(std::string_view filter);

/// Distinguished names compared the way a directory compares them for these purposes: without
/// regard to case and to spaces around ',' and '='.
bool same_dn(std::string_view a, std::string_view b);

}  // namespace rcc::directory
