// NameHasher: the keyed hash the redacted privacy mode writes in place of a full name, so
// that one report can say "these events asked for the same name" without saying which, and
// reports written with the same key (privacy_key.h) can be compared.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

struct evp_md_ctx_st; // OpenSSL's EVP_MD_CTX, kept out of this header

namespace wtfn::dnsleak {

inline constexpr std::size_t PRIVACY_KEY_BYTES = 32;
inline constexpr std::size_t NAME_HASH_BYTES = 12; // 96 bits, 24 hex characters

using PrivacyKey = std::array<std::uint8_t, PRIVACY_KEY_BYTES>;

class NameHasher {
public:
    explicit NameHasher(const PrivacyKey& key);
    ~NameHasher();
    NameHasher(const NameHasher& other);
    NameHasher& operator=(const NameHasher& other);
    NameHasher(NameHasher&& other) noexcept;
    NameHasher& operator=(NameHasher&& other) noexcept;

    // False if OpenSSL could not set up SHA-256 (then hash() returns "").
    bool ok() const { return inner_ != nullptr; }

    // HMAC-SHA256(key, name with ASCII letters lower-cased and one trailing dot dropped),
    // first NAME_HASH_BYTES bytes in lower-case hex: "WWW.Example.com." and "www.example.com"
    // hash the same. Not thread-safe: one thread at a time per object (copy it per thread).
    std::string hash(std::string_view name) const;

private:
    void reset();

    // SHA-256 states after the key's inner (ipad) and outer (opad) blocks, computed once, and
    // a scratch context they are copied into per call. Per name that costs about 175 ns of
    // CPU against 450 ns for duplicating a keyed EVP_MAC_CTX (bench/micro/name_hasher_bench,
    // Release, OpenSSL 3.0, 2-core 2.1 GHz VM with SHA-NI).
    evp_md_ctx_st* inner_ = nullptr;
    evp_md_ctx_st* outer_ = nullptr;
    evp_md_ctx_st* work_ = nullptr;
};

} // namespace wtfn::dnsleak
