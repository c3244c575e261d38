// The registrable domain (eTLD+1) of a DNS name, from the Public Suffix List through libpsl:
// what the redacted privacy mode keeps of a query name.
#pragma once

#include <string>
#include <string_view>

namespace wtfn::dnsleak {

// "www.example.co.uk" -> "example.co.uk", "a.b.example.com." -> "example.com": lower-cased,
// without the trailing dot. Returns "" when there is no registrable domain to keep: the name
// is itself a public suffix ("co.uk", "com"), is empty or the root, has an empty label, is
// longer than 255 bytes, or holds any byte other than printable ASCII without space and
// backslash (names come off the wire; a backslash would only ever be an escape, and no
// Public Suffix List rule holds any of these bytes). Both ICANN and private rules of the list
// apply ("foo.github.io" is its own registrable domain).
//
// The list is /usr/share/publicsuffix/public_suffix_list.dafsa (Debian package publicsuffix),
// or libpsl's built-in copy when that is missing; it is loaded once, on the first call.
// Called once per judged DNS message: no allocation besides the result. Thread-safe.
std::string registrable_domain(std::string_view name);

} // namespace wtfn::dnsleak
