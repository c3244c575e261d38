#include "dnsleak/privacy/name_hasher.h"

#include <algorithm>
#include <utility>

#include <openssl/crypto.h>
#include <openssl/evp.h>

namespace wtfn::dnsleak {
namespace {

constexpr std::size_t SHA256_BLOCK = 64;
constexpr std::size_t SHA256_BYTES = 32;
constexpr char HEX[] = "0123456789abcdef";

bool update_lowercased(EVP_MD_CTX* ctx, std::string_view text)
{
    std::array<char, 64> chunk;
    while (!text.empty()) {
        const std::size_t n = std::min(text.size(), chunk.size());
        for (std::size_t i = 0; i < n; ++i) {
            const char c = text[i];
            chunk[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
        }
        if (EVP_DigestUpdate(ctx, chunk.data(), n) != 1) {
            return false;
        }
        text.remove_prefix(n);
    }
    return true;
}

} // namespace

NameHasher::NameHasher(const PrivacyKey& key)
{
    // RFC 2104 with a key shorter than the block: K padded with zeros, XORed with ipad/opad.
    std::array<unsigned char, SHA256_BLOCK> ipad{};
    std::array<unsigned char, SHA256_BLOCK> opad{};
    for (std::size_t i = 0; i < SHA256_BLOCK; ++i) {
        const unsigned char k = i < key.size() ? key[i] : 0;
        ipad[i] = static_cast<unsigned char>(k ^ 0x36);
        opad[i] = static_cast<unsigned char>(k ^ 0x5c);
    }
    EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    inner_ = EVP_MD_CTX_new();
    outer_ = EVP_MD_CTX_new();
    work_ = EVP_MD_CTX_new();
    const bool good = md != nullptr && inner_ != nullptr && outer_ != nullptr && work_ != nullptr &&
                      EVP_DigestInit_ex2(inner_, md, nullptr) == 1 &&
                      EVP_DigestUpdate(inner_, ipad.data(), ipad.size()) == 1 &&
                      EVP_DigestInit_ex2(outer_, md, nullptr) == 1 &&
                      EVP_DigestUpdate(outer_, opad.data(), opad.size()) == 1;
    EVP_MD_free(md); // the contexts hold their own reference
    OPENSSL_cleanse(ipad.data(), ipad.size());
    OPENSSL_cleanse(opad.data(), opad.size());
    if (!good) {
        reset();
    }
}

NameHasher::~NameHasher()
{
    reset();
}

NameHasher::NameHasher(const NameHasher& other)
{
    if (!other.ok()) {
        return;
    }
    inner_ = EVP_MD_CTX_new();
    outer_ = EVP_MD_CTX_new();
    work_ = EVP_MD_CTX_new();
    if (inner_ == nullptr || outer_ == nullptr || work_ == nullptr ||
        EVP_MD_CTX_copy_ex(inner_, other.inner_) != 1 ||
        EVP_MD_CTX_copy_ex(outer_, other.outer_) != 1) {
        reset();
    }
}

NameHasher& NameHasher::operator=(const NameHasher& other)
{
    if (this != &other) {
        NameHasher copy(other);
        *this = std::move(copy);
    }
    return *this;
}

NameHasher::NameHasher(NameHasher&& other) noexcept
    : inner_(std::exchange(other.inner_, nullptr)),
      outer_(std::exchange(other.outer_, nullptr)),
      work_(std::exchange(other.work_, nullptr))
{}

NameHasher& NameHasher::operator=(NameHasher&& other) noexcept
{
    std::swap(inner_, other.inner_);
    std::swap(outer_, other.outer_);
    std::swap(work_, other.work_);
    return *this;
}

void NameHasher::reset()
{
    EVP_MD_CTX_free(inner_);
    EVP_MD_CTX_free(outer_);
    EVP_MD_CTX_free(work_);
    inner_ = nullptr;
    outer_ = nullptr;
    work_ = nullptr;
}

std::string NameHasher::hash(std::string_view name) const
{
    if (!ok()) {
        return {};
    }
    if (!name.empty() && name.back() == '.') {
        name.remove_suffix(1);
    }
    std::array<unsigned char, SHA256_BYTES> inner_digest;
    std::array<unsigned char, SHA256_BYTES> mac;
    unsigned int len = 0;
    if (EVP_MD_CTX_copy_ex(work_, inner_) != 1 || !update_lowercased(work_, name) ||
        EVP_DigestFinal_ex(work_, inner_digest.data(), &len) != 1 || len != SHA256_BYTES ||
        EVP_MD_CTX_copy_ex(work_, outer_) != 1 ||
        EVP_DigestUpdate(work_, inner_digest.data(), inner_digest.size()) != 1 ||
        EVP_DigestFinal_ex(work_, mac.data(), &len) != 1 || len != SHA256_BYTES) {
        return {};
    }
    std::string out(NAME_HASH_BYTES * 2, '0');
    for (std::size_t i = 0; i < NAME_HASH_BYTES; ++i) {
        out[2 * i] = HEX[mac[i] >> 4];
        out[2 * i + 1] = HEX[mac[i] & 0xf];
    }
    return out;
}

} // namespace wtfn::dnsleak
