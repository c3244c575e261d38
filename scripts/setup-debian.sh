#!/usr/bin/env bash
# Installs every Debian package that building, testing and benchmarking wtfn needs.
# Idempotent: safe to run again; apt-get skips what is already installed.
# Usage (as root on Debian 12): scripts/setup-debian.sh
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
    echo "setup-debian.sh: must run as root (apt-get install); try: sudo $0" >&2
    exit 1
fi

packages=(
    # build
    build-essential cmake ninja-build pkg-config git
    libpcap0.8-dev libcli11-dev nlohmann-json3-dev libfmt-dev libspdlog-dev libmnl-dev
    libpsl-dev publicsuffix libssl-dev
    # process attribution: eBPF programs built with clang into a libbpf skeleton by bpftool
    libbpf-dev bpftool clang-14 llvm-14
    # tests and fuzzing
    libgtest-dev libgmock-dev clang-14 libclang-rt-14-dev llvm-14 clang-format-14
    iproute2 dnsutils knot-dnsutils unbound dnsmasq-base tcpdump procps util-linux python3
    python3-jsonschema openssl
    # benchmarks
    libbenchmark-dev time
)

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
# unbound's package enables a system service; the tests start their own instances inside
# network namespaces, so a host-wide resolver is not wanted.
if command -v systemctl >/dev/null 2>&1 && systemctl is-enabled unbound >/dev/null 2>&1; then
    systemctl disable --now unbound >/dev/null 2>&1 || true
fi
echo "setup-debian.sh: all packages installed"
