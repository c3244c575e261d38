// The privacy key: 32 random bytes that key the name hashes of the redacted mode
// (name_hasher.h). Made once, mode 0600 whatever the umask, and reused, so that hashes from
// different runs on one machine can be compared (RELIABILITY.md O1, O4).
#pragma once

#include <string>

#include "dnsleak/privacy/name_hasher.h"

namespace wtfn::dnsleak {

// $WTFN_PRIVACY_KEY if set and not empty; else /var/lib/wtfn/privacy.key for effective uid 0;
// else $XDG_STATE_HOME/wtfn/privacy.key (an absolute $XDG_STATE_HOME only, as the XDG spec
// says), else $HOME/.local/state/wtfn/privacy.key (the passwd entry's home if $HOME is unset).
// "" when no home directory is known.
std::string default_privacy_key_path();

struct KeyResult {
    bool ok = false;
    PrivacyKey key{};
    bool created = false; // a new key was made by this call
    std::string error;    // when !ok: one printable line naming the path, the cause and the fix
    std::string warning;  // when ok: e.g. the key file is readable by other users
};

// Reads the key at `path`, or makes it if there is none:
//   - an existing file is opened with O_NOFOLLOW (a symlink is refused) and must be a
//     regular file of exactly 32 bytes; group or other permission bits give a warning naming
//     `chmod 600`, and the key is still used;
//   - otherwise missing parent directories are made (mode 0700), 32 bytes from getrandom(2)
//     go to a temporary file in the same directory (O_CREAT|O_EXCL|O_NOFOLLOW, fchmod 0600,
//     fsync), which is then hard-linked to `path`. link() never replaces a file, so when two
//     processes start at once the second one's link fails with EEXIST and it reads the
//     first one's key: both use the same key. The directory is fsynced.
KeyResult load_or_create_privacy_key(const std::string& path);

} // namespace wtfn::dnsleak
