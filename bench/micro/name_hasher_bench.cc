// The per-name cost of the redacted privacy mode, paid once per judged DNS message: the keyed
// hash of the name and its registrable domain. NameHasher copies SHA-256 states prepared from
// the key once; BM_hmac_evp_mac_dup is the other way OpenSSL 3 offers (an HMAC EVP_MAC_CTX
// keyed once and duplicated per name), kept here as the comparison that chose the first.
#include "dnsleak/privacy/name_hasher.h"

#include <array>
#include <cstdint>
#include <string_view>

#include <benchmark/benchmark.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "dnsleak/privacy/public_suffix.h"

namespace {

constexpr std::string_view NAME = "www.Example.co.uk.";

wtfn::dnsleak::PrivacyKey test_key()
{
    wtfn::dnsleak::PrivacyKey key{};
    for (std::size_t i = 0; i < key.size(); ++i) {
        key[i] = static_cast<std::uint8_t>(i);
    }
    return key;
}

void BM_name_hasher(benchmark::State& state)
{
    const wtfn::dnsleak::NameHasher hasher(test_key());
    for (auto _ : state) {
        benchmark::DoNotOptimize(hasher.hash(NAME));
    }
}

BENCHMARK(BM_name_hasher);

void BM_hmac_evp_mac_dup(benchmark::State& state)
{
    const auto key = test_key();
    EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    EVP_MAC_CTX* keyed = EVP_MAC_CTX_new(mac);
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_end(),
    };
    if (EVP_MAC_init(keyed, key.data(), key.size(), params) != 1) {
        state.SkipWithError("EVP_MAC_init failed");
    }
    std::array<unsigned char, 32> out{};
    for (auto _ : state) {
        EVP_MAC_CTX* ctx = EVP_MAC_CTX_dup(keyed);
        std::size_t len = 0;
        EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(NAME.data()), NAME.size());
        EVP_MAC_final(ctx, out.data(), &len, out.size());
        EVP_MAC_CTX_free(ctx);
        benchmark::DoNotOptimize(out);
    }
    EVP_MAC_CTX_free(keyed);
    EVP_MAC_free(mac);
}

BENCHMARK(BM_hmac_evp_mac_dup);

void BM_registrable_domain(benchmark::State& state)
{
    for (auto _ : state) {
        benchmark::DoNotOptimize(wtfn::dnsleak::registrable_domain(NAME));
    }
}

BENCHMARK(BM_registrable_domain);

} // namespace
