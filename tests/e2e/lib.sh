# shellcheck shell=bash
# Shared helpers for the wtfn end-to-end tests (tests/e2e/*.sh).
#
# Source this file from a test script, then:
#
#   e2e_init NAME WTFN        # checks root/ip netns/tools, makes $E2E_TMP, installs traps
#   e2e_topology              # namespaces $E2E_NS_C / $E2E_NS_R joined by veth-c <-> veth-r
#   e2e_start_resolver        # dnsmasq (default) or unbound ($E2E_RESOLVER=unbound) in R
#   ...
#   (cleanup runs by itself on exit, error, Ctrl-C, SIGTERM, SIGHUP)
#
# Topology (everything lives inside two namespaces whose names contain $$, so
# parallel runs do not collide and nothing touches the host's interfaces):
#
#   ns C "client"  veth-c 10.200.0.1/24 fd00:200::1/64  <-->  veth-r 10.200.0.2/24 fd00:200::2/64  ns R "resolver"
#
# The resolver answers every name under example.test with 192.0.2.10 (A) and
# 2001:db8::10 (AAAA); it has no upstream, so no query can leave the namespace.
#
# Environment knobs:
#   E2E_RESOLVER=dnsmasq|unbound   resolver to run in R (default dnsmasq)
#   E2E_KEEP=1                     keep $E2E_TMP (logs, reports) after the run
#   E2E_VERBOSE=1                  print more progress information

set -u
set -o pipefail

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
E2E_PY=${E2E_PY:-/usr/bin/python3}
[[ -x $E2E_PY ]] || E2E_PY=$(command -v python3 || echo python3)

E2E_C_ADDR4=10.200.0.1
E2E_R_ADDR4=10.200.0.2
E2E_C_ADDR6=fd00:200::1
E2E_R_ADDR6=fd00:200::2
E2E_ANSWER4=192.0.2.10
E2E_ANSWER6=2001:db8::10

E2E_NAME=e2e
E2E_TMP=
E2E_NS_C=
E2E_NS_R=
E2E_PIDS=()          # processes we started (killed by pid on cleanup)
E2E_NAMESPACES=()    # namespaces we created (deleted on cleanup)
E2E_CLEANED=0

e2e_log()  { printf '%s: %s\n' "$E2E_NAME" "$*" >&2; }
e2e_vlog() { [[ ${E2E_VERBOSE:-0} == 1 ]] && e2e_log "$@"; return 0; }

# Fatal set-up problem: the test FAILS (exit 1) with the reason; never a silent pass.
# The summary line still follows, so a runner that greps for it sees the failure.
e2e_die() {
    printf 'FAIL: %s: %s\n' "$E2E_NAME" "$*"
    printf '%s: %d passed, %d failed\n' "$E2E_NAME" "${E2E_PASSED:-0}" "$(( ${E2E_FAILED:-0} + 1 ))"
    exit 1
}

# Milliseconds since the epoch (bash 5 $EPOCHREALTIME; no fork).
e2e_now_ms() {
    local t=${EPOCHREALTIME/[.,]/}
    echo $((t / 1000))
}

# Seconds (integer or decimal, e.g. 5 or 0.3) to milliseconds.
e2e_secs_to_ms() {
    local s=$1 int frac=000
    int=${s%%.*}
    if [[ $s == *.* ]]; then frac=${s#*.}000; frac=${frac:0:3}; fi
    echo $(( 10#${int:-0} * 1000 + 10#$frac ))
}

# wait_until TIMEOUT_S INTERVAL_S CMD...   run CMD until it succeeds or the deadline
# passes. Returns 0 on success, 1 on timeout. Bounded in time and in count.
wait_until() {
    local timeout=$1 interval=$2
    shift 2
    local deadline_ms i=0
    deadline_ms=$(( $(e2e_now_ms) + $(e2e_secs_to_ms "$timeout") ))
    while (( i++ < 100000 )); do
        if "$@"; then return 0; fi
        (( $(e2e_now_ms) >= deadline_ms )) && return 1
        sleep "$interval"
    done
    return 1
}

# json_get FILE PATH   print the value at dotted PATH (e.g. summary.queries,
# events.0.dns.qname). Strings raw, everything else as JSON. Exit 1 if missing.
json_get() {
    "$E2E_PY" - "$1" "$2" <<'EOF'
import json, sys
try:
    with open(sys.argv[1], encoding="utf-8") as f:
        v = json.load(f)
except Exception as e:
    print(f"json_get: cannot read {sys.argv[1]}: {e}", file=sys.stderr)
    sys.exit(1)
for part in [p for p in sys.argv[2].split(".") if p]:
    try:
        if isinstance(v, list):
            v = v[int(part)]
        elif isinstance(v, dict):
            v = v[part]
        else:
            raise KeyError(part)
    except (KeyError, IndexError, ValueError):
        print(f"json_get: {sys.argv[2]}: no such key in {sys.argv[1]}", file=sys.stderr)
        sys.exit(1)
print(v if isinstance(v, str) else json.dumps(v))
EOF
}

# ---------------------------------------------------------------- cleanup

# A pid is alive when it exists and is not a zombie waiting to be reaped.
e2e_pid_alive() {
    [[ -n ${1:-} ]] || return 1
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    stat=${stat##*) }
    [[ ${stat:0:1} != Z ]]
}
_e2e_gone() { ! e2e_pid_alive "$1"; }

# e2e_kill SIG PID: signal PID only if it is still a child of this script, so a
# pid the kernel has reused for someone else's process is never touched.
e2e_kill() {
    local sig=$1 pid=$2 stat ppid
    stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
    stat=${stat##*) }
    read -r _ ppid _ <<<"$stat"
    [[ $ppid == "$$" ]] || return 1
    kill -"$sig" "$pid" 2>/dev/null
}

# Wait (bounded) for a pid we started to exit.
e2e_wait_gone() {
    local pid=$1 timeout=${2:-2}
    wait_until "$timeout" 0.02 _e2e_gone "$pid"
}

e2e_cleanup() {
    (( E2E_CLEANED )) && return 0
    E2E_CLEANED=1
    trap '' INT TERM HUP   # do not let a second Ctrl-C interrupt the cleanup
    local pid ns
    # 1. Processes we started, by pid: TERM, then KILL after a bounded wait.
    for pid in "${E2E_PIDS[@]}"; do
        e2e_pid_alive "$pid" && e2e_kill TERM "$pid"
    done
    for pid in "${E2E_PIDS[@]}"; do
        if e2e_pid_alive "$pid" && ! e2e_wait_gone "$pid" 2; then
            e2e_kill KILL "$pid"
        fi
        wait "$pid" 2>/dev/null
    done
    # 2. Anything still inside our own namespaces (e.g. dnsmasq's TCP children):
    #    these pids are in namespaces this run created, so they are ours.
    for ns in "${E2E_NAMESPACES[@]}"; do
        for pid in $(ip netns pids "$ns" 2>/dev/null); do
            kill -KILL "$pid" 2>/dev/null
        done
    done
    # 3. The namespaces; deleting them removes the veth pair with them.
    for ns in "${E2E_NAMESPACES[@]}"; do
        ip netns del "$ns" 2>/dev/null || e2e_log "warning: could not delete netns $ns"
    done
    # 4. Temporary files.
    if [[ -n $E2E_TMP && -d $E2E_TMP ]]; then
        if [[ ${E2E_KEEP:-0} == 1 ]]; then
            : >"$E2E_TMP/.kept"
            e2e_log "kept $E2E_TMP"
        else
            rm -rf -- "$E2E_TMP"
        fi
    fi
    return 0
}

e2e_on_signal() {
    local sig=$1 code=$2
    e2e_log "interrupted by SIG$sig, cleaning up"
    e2e_cleanup
    trap - EXIT
    exit "$code"
}

# ---------------------------------------------------------------- init

# The preconditions every test shares: the binary (sets E2E_WTFN, absolute path), root,
# iproute2 and working network namespaces. Each missing one is a FAIL with its reason.
_e2e_require_base() {
    local wtfn=${1:-}
    [[ -n $wtfn ]] || e2e_die "usage: $0 PATH-TO-WTFN"
    [[ -x $wtfn && -f $wtfn ]] || e2e_die "wtfn binary '$wtfn' does not exist or is not executable"
    E2E_WTFN=$(cd "$(dirname "$wtfn")" && pwd)/$(basename "$wtfn")
    (( EUID == 0 )) || e2e_die "needs root (uid 0) to create network namespaces; running as uid $EUID"
    command -v ip >/dev/null || e2e_die "'ip' (iproute2) not found"
    local probe_ns="wtfn-e2e-probe-$$"
    ip netns add "$probe_ns" 2>/dev/null || e2e_die "'ip netns add' does not work here (no netns support or no CAP_SYS_ADMIN)"
    ip netns del "$probe_ns" 2>/dev/null
}

# e2e_init NAME WTFN: preconditions (each missing one is a FAIL with its reason),
# temp dir and traps. Sets E2E_WTFN (absolute path).
e2e_init() {
    E2E_NAME=$1
    local wtfn=${2:-}
    trap e2e_cleanup EXIT
    trap 'e2e_on_signal INT 130' INT
    trap 'e2e_on_signal TERM 143' TERM
    trap 'e2e_on_signal HUP 129' HUP

    _e2e_require_base "$wtfn"
    local tool
    for tool in dig setpriv env "$E2E_PY"; do
        command -v "$tool" >/dev/null || e2e_die "required tool '$tool' not found"
    done
    if [[ ${E2E_RESOLVER:-dnsmasq} == unbound ]]; then
        command -v unbound >/dev/null || e2e_die "unbound not found"
    else
        [[ -x /usr/sbin/dnsmasq ]] || command -v dnsmasq >/dev/null || e2e_die "dnsmasq not found (install dnsmasq-base)"
    fi

    e2e_reap_stale

    E2E_TMP=$(mktemp -d "/tmp/wtfn-e2e-$E2E_NAME.$$.XXXXXX") || e2e_die "mktemp failed"
    chmod 0755 "$E2E_TMP"   # unprivileged helpers (setpriv nobody) may need to read it
    # The privacy key of these runs lives and dies with the test, not in /var/lib/wtfn.
    # A test that checks the key itself sets its own path.
    export WTFN_PRIVACY_KEY=${WTFN_PRIVACY_KEY:-$E2E_TMP/privacy.key}
}

# A run killed with SIGKILL (e.g. by a ctest timeout) cannot clean up. Remove
# namespaces that an earlier run of these scripts created (wtfn-c-PID,
# wtfn-r-PID, wtfn-e2e-probe-PID) when that PID is no longer alive, together
# with the processes still inside them (a resolver that run started), and its
# temporary directory.
e2e_reap_stale() {
    local ns owner pid
    for ns in $(ip netns list 2>/dev/null | awk '{print $1}'); do
        [[ $ns =~ ^wtfn-(c|r|f|e2e-probe)-([0-9]+)$ ]] || continue
        owner=${BASH_REMATCH[2]}
        e2e_pid_alive "$owner" && continue
        e2e_log "removing stale namespace $ns left by dead run $owner"
        for pid in $(ip netns pids "$ns" 2>/dev/null); do
            kill -KILL "$pid" 2>/dev/null
        done
        ip netns del "$ns" 2>/dev/null
    done
    local d
    for d in /tmp/wtfn-e2e-*.*.*; do
        [[ -d $d && $d =~ ^/tmp/wtfn-e2e-[a-z_]+\.([0-9]+)\.[A-Za-z0-9]{6}$ ]] || continue
        e2e_pid_alive "${BASH_REMATCH[1]}" && continue
        [[ -e $d/.kept ]] && continue   # kept on purpose with E2E_KEEP=1
        rm -rf -- "$d"
    done
}

# ---------------------------------------------------------------- topology

# nsexec NS CMD...  (convenience)
nsexec() { local ns=$1; shift; ip netns exec "$ns" "$@"; }
in_c() { ip netns exec "$E2E_NS_C" "$@"; }
in_r() { ip netns exec "$E2E_NS_R" "$@"; }

_e2e_link_up() {
    [[ $(ip -n "$E2E_NS_C" -br link show veth-c 2>/dev/null) == *LOWER_UP* ]] &&
        [[ $(ip -n "$E2E_NS_R" -br link show veth-r 2>/dev/null) == *LOWER_UP* ]]
}

e2e_topology() {
    E2E_NS_C="wtfn-c-$$"
    E2E_NS_R="wtfn-r-$$"
    ip netns add "$E2E_NS_C" || e2e_die "ip netns add $E2E_NS_C failed"
    E2E_NAMESPACES+=("$E2E_NS_C")
    ip netns add "$E2E_NS_R" || e2e_die "ip netns add $E2E_NS_R failed"
    E2E_NAMESPACES+=("$E2E_NS_R")

    # Create the pair directly inside the namespaces: it never exists in the
    # host namespace, so parallel runs cannot collide on the names.
    ip -n "$E2E_NS_C" link add veth-c type veth peer name veth-r netns "$E2E_NS_R" \
        || e2e_die "cannot create veth pair"
    local ns
    for ns in "$E2E_NS_C" "$E2E_NS_R"; do
        ip -n "$ns" link set lo up || e2e_die "lo up in $ns failed"
        # Quiet IPv6: no router solicitations or DAD chatter on the test link.
        ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0 2>/dev/null
    done
    ip -n "$E2E_NS_C" addr add "$E2E_C_ADDR4/24" dev veth-c || e2e_die "addr veth-c"
    ip -n "$E2E_NS_C" addr add "$E2E_C_ADDR6/64" dev veth-c nodad || e2e_die "addr6 veth-c"
    ip -n "$E2E_NS_R" addr add "$E2E_R_ADDR4/24" dev veth-r || e2e_die "addr veth-r"
    ip -n "$E2E_NS_R" addr add "$E2E_R_ADDR6/64" dev veth-r nodad || e2e_die "addr6 veth-r"
    ip -n "$E2E_NS_C" link set veth-c up || e2e_die "veth-c up"
    ip -n "$E2E_NS_R" link set veth-r up || e2e_die "veth-r up"

    # Permanent neighbour entries: no ARP/ND resolution is pending when a burst
    # starts, so the kernel never drops queued packets before they reach the
    # capture point (that would look like a wtfn loss).
    local mac_c mac_r
    mac_c=$(ip -n "$E2E_NS_C" -br link show veth-c | awk '{print $3}')
    mac_r=$(ip -n "$E2E_NS_R" -br link show veth-r | awk '{print $3}')
    [[ -n $mac_c && -n $mac_r ]] || e2e_die "cannot read veth MAC addresses"
    ip -n "$E2E_NS_C" neigh replace "$E2E_R_ADDR4" lladdr "$mac_r" dev veth-c nud permanent
    ip -n "$E2E_NS_C" neigh replace "$E2E_R_ADDR6" lladdr "$mac_r" dev veth-c nud permanent
    ip -n "$E2E_NS_R" neigh replace "$E2E_C_ADDR4" lladdr "$mac_c" dev veth-r nud permanent
    ip -n "$E2E_NS_R" neigh replace "$E2E_C_ADDR6" lladdr "$mac_c" dev veth-r nud permanent

    # Both ends must have carrier before anyone relies on the link (the
    # resolver readiness check then proves it carries DNS both ways).
    wait_until 5 0.02 _e2e_link_up \
        || e2e_die "veth pair veth-c/veth-r has no carrier after 5 s"
    e2e_vlog "topology up: $E2E_NS_C (veth-c) <-> $E2E_NS_R (veth-r)"
}

# ---------------------------------------------------------------- resolver

E2E_RESOLVER_PID=

# e2e_start_dnsmasq [NS] [LISTEN-ADDRESSES] [TAG]: dnsmasq answering example.test
# from its --address lines, no upstream; log in $E2E_TMP/TAG.log.
e2e_start_dnsmasq() {
    local ns=${1:-$E2E_NS_R} listen=${2:-$E2E_R_ADDR4,$E2E_R_ADDR6} tag=${3:-resolver}
    local dnsmasq=/usr/sbin/dnsmasq
    [[ -x $dnsmasq ]] || dnsmasq=$(command -v dnsmasq)
    ip netns exec "$ns" "$dnsmasq" \
        --conf-file=/dev/null --no-resolv --no-hosts --port 53 \
        --listen-address="$listen" --bind-interfaces \
        --address=/example.test/"$E2E_ANSWER4" --address=/example.test/"$E2E_ANSWER6" \
        --cache-size=0 --dns-forward-max=5000 \
        --keep-in-foreground --pid-file="$E2E_TMP/$tag.pid" --log-facility=- \
        >"$E2E_TMP/$tag.log" 2>&1 &
    E2E_RESOLVER_PID=$!
    E2E_PIDS+=("$E2E_RESOLVER_PID")
}

e2e_start_unbound() {
    local conf=$E2E_TMP/unbound.conf
    cat >"$conf" <<EOF
server:
    interface: $E2E_R_ADDR4
    interface: $E2E_R_ADDR6
    port: 53
    access-control: 10.200.0.0/24 allow
    access-control: fd00:200::/64 allow
    do-daemonize: no
    chroot: ""
    username: ""
    directory: "$E2E_TMP"
    pidfile: "$E2E_TMP/unbound.pid"
    use-syslog: no
    logfile: ""
    verbosity: 1
    num-threads: 1
    do-ip4: yes
    do-ip6: yes
    do-udp: yes
    do-tcp: yes
    so-rcvbuf: 4m
    module-config: "iterator"
    local-zone: "example.test." redirect
    local-data: "example.test. 300 IN A $E2E_ANSWER4"
    local-data: "example.test. 300 IN AAAA $E2E_ANSWER6"
remote-control:
    control-enable: no
EOF
    ip netns exec "$E2E_NS_R" unbound -d -c "$conf" >"$E2E_TMP/resolver.log" 2>&1 &
    E2E_RESOLVER_PID=$!
    E2E_PIDS+=("$E2E_RESOLVER_PID")
}

# dig from C; prints +short output.
e2e_dig() { ip netns exec "$E2E_NS_C" dig +tries=1 +time=1 +short "$@" 2>/dev/null; }

_e2e_resolver_answers() {
    [[ $(e2e_dig "@$1" ready.example.test "$2") == "$3" ]]
}

# e2e_start_resolver: start the resolver in R and wait (max 5 s) until it answers
# over IPv4 and IPv6. Note: the readiness queries are sent before wtfn starts.
e2e_start_resolver() {
    case ${E2E_RESOLVER:-dnsmasq} in
        dnsmasq) e2e_start_dnsmasq "$E2E_NS_R" "$E2E_R_ADDR4,$E2E_R_ADDR6" resolver ;;
        unbound) e2e_start_unbound ;;
        *) e2e_die "unknown E2E_RESOLVER '${E2E_RESOLVER}'" ;;
    esac
    if ! wait_until 5 0.05 _e2e_resolver_answers "$E2E_R_ADDR4" A "$E2E_ANSWER4"; then
        e2e_log "resolver log: $(tail -n 5 "$E2E_TMP/resolver.log" 2>/dev/null | tr '\n' '|')"
        e2e_die "${E2E_RESOLVER:-dnsmasq} in $E2E_NS_R did not answer on $E2E_R_ADDR4 within 5 s"
    fi
    wait_until 5 0.05 _e2e_resolver_answers "$E2E_R_ADDR6" AAAA "$E2E_ANSWER6" \
        || e2e_die "${E2E_RESOLVER:-dnsmasq} in $E2E_NS_R did not answer on $E2E_R_ADDR6 within 5 s"
    e2e_vlog "resolver ${E2E_RESOLVER:-dnsmasq} (pid $E2E_RESOLVER_PID) answers on $E2E_R_ADDR4 and $E2E_R_ADDR6"
}

# ---------------------------------------------------------------- wtfn

# e2e_start_wtfn NS STDOUT STDERR ARGS...   start wtfn in the background inside
# namespace NS. SIGINT is reset to its default disposition (a non-interactive
# shell starts background jobs with SIGINT ignored; a user's Ctrl-C is not).
# Sets WTFN_PID.
WTFN_PID=
e2e_start_wtfn() {
    local ns=$1 out=$2 err=$3
    shift 3
    env --default-signal=INT,TERM ip netns exec "$ns" "$E2E_WTFN" "$@" >"$out" 2>"$err" &
    WTFN_PID=$!
    E2E_PIDS+=("$WTFN_PID")
}

# True when PID owns an AF_PACKET socket that is hooked into the stack
# (/proc/PID/net/packet column R == 1) and whose receive ring is mmapped
# (the socket shows up in /proc/PID/maps): from then on every packet on the
# interface is in wtfn's ring, whatever wtfn does next.
e2e_is_capturing() {
    local pid=$1 inodes=() link ino
    [[ -d /proc/$pid ]] || return 1
    for link in /proc/"$pid"/fd/*; do
        link=$(readlink "$link" 2>/dev/null) || continue
        [[ $link == socket:\[*\] ]] || continue
        ino=${link#socket:[}
        inodes+=("${ino%]}")
    done
    (( ${#inodes[@]} )) || return 1
    local running
    running=$(awk 'NR > 1 && $6 == 1 { print $9 }' "/proc/$pid/net/packet" 2>/dev/null) || return 1
    for ino in "${inodes[@]}"; do
        if grep -qx "$ino" <<<"$running" && grep -q "socket:\[$ino\]" "/proc/$pid/maps" 2>/dev/null; then
            return 0
        fi
    done
    return 1
}

# e2e_wait_capturing PID [TIMEOUT_S=5]: 0 when capturing, 1 on timeout or exit.
e2e_wait_capturing() {
    local pid=$1 timeout=${2:-5}
    wait_until "$timeout" 0.01 _e2e_capturing_or_dead "$pid" || return 1
    e2e_pid_alive "$pid"
}
_e2e_capturing_or_dead() { ! e2e_pid_alive "$1" || e2e_is_capturing "$1"; }

# e2e_wait_exit PID TIMEOUT_S: wait for a pid we started; sets WTFN_RC (exit
# status, or 124 if it did not exit within TIMEOUT_S; it is then killed).
# shellcheck disable=SC2034  # WTFN_RC is read by the test scripts
WTFN_RC=
e2e_wait_exit() {
    local pid=$1 timeout=$2
    if e2e_wait_gone "$pid" "$timeout"; then
        wait "$pid" 2>/dev/null
        WTFN_RC=$?
    else
        e2e_kill KILL "$pid"
        wait "$pid" 2>/dev/null
        # shellcheck disable=SC2034
        WTFN_RC=124
    fi
}

# Print the first lines of a file indented, for failure messages.
e2e_show() {
    local label=$1 file=$2 n=${3:-10}
    [[ -s $file ]] || { printf '    %s: (empty)\n' "$label"; return 0; }
    printf '    %s:\n' "$label"
    head -n "$n" "$file" | cut -c1-300 | sed 's/^/      /'
}

check_report() { "$E2E_PY" "$E2E_DIR/check_report.py" "$@"; }

# ---------------------------------------------------------------- results

E2E_PASSED=0
E2E_FAILED=0

e2e_pass() { E2E_PASSED=$((E2E_PASSED + 1)); printf 'PASS: %s\n' "$1"; }
# e2e_fail DESC [REASON...]
e2e_fail() {
    E2E_FAILED=$((E2E_FAILED + 1))
    printf 'FAIL: %s\n' "$1"
    shift
    local line
    for line in "$@"; do
        [[ -n $line ]] && printf '      %s\n' "$line"
    done
    return 0
}

# e2e_check DESC CMD...   PASS when CMD exits 0, else FAIL with CMD's output.
e2e_check() {
    local desc=$1 out
    shift
    if out=$("$@" 2>&1); then
        e2e_pass "$desc"
    else
        E2E_FAILED=$((E2E_FAILED + 1))
        printf 'FAIL: %s\n' "$desc"
        [[ -n $out ]] && printf '%s\n' "$out" | head -n 20 | cut -c1-400 | sed 's/^/      /'
    fi
    return 0
}

# e2e_finish: final line "NAME: N passed, M failed"; exit 0 only if nothing failed
# and at least one check ran.
e2e_finish() {
    printf '%s: %d passed, %d failed\n' "$E2E_NAME" "$E2E_PASSED" "$E2E_FAILED"
    (( E2E_FAILED == 0 && E2E_PASSED > 0 )) && exit 0
    exit 1
}

# ================================================================ namespace-only tests
# Helpers for tests that only build interfaces, routes and rules in namespaces and read
# them back (status_oracle.sh, status_route_get.sh, bench/status/run_status_latency.sh):
# no resolver, no dig. They use the same names as above (wtfn-c-PID / wtfn-r-PID), so
# e2e_reap_stale removes what a killed run left behind.
#
#   e2e_init_netns NAME WTFN        like e2e_init, without dig/dnsmasq; cleanup also
#                                   removes the /etc/netns/NS dirs made below
#   e2e_netns_new NS                add NS (registered for cleanup), lo up, no RA/DAD
#   e2e_netns_drop NS               kill what runs in NS, delete it now (not at exit)
#   e2e_netns_resolv_conf NS TEXT   /etc/netns/NS/resolv.conf: `ip netns exec NS` then
#                                   sees TEXT as /etc/resolv.conf (removed on cleanup)
#   e2e_netns_resolv_conf_clear NS
#   e2e_tun_hold NS DEV tun|tap     keep DEV open (carrier) by a bounded python3 process
#   e2e_wait_stable NS [TIMEOUT]    wait until two ip snapshots 0.3 s apart are equal
#   e2e_results CMD...              run a checker that prints PASS:/FAIL:/detail lines
#                                   (status_oracle.py) and count its results
#   e2e_status_topology NS ISP      the namespace of status_oracle.sh (see there)

E2E_ORACLE_PY=$E2E_DIR/status_oracle.py
E2E_ETC_NETNS_DIRS=()   # /etc/netns/NS directories this run created
E2E_ETC_NETNS_MADE=0    # 1 when this run created /etc/netns itself

e2e_init_netns() {
    E2E_NAME=$1
    local wtfn=${2:-}
    trap e2e_cleanup_netns EXIT
    trap 'e2e_on_signal_netns INT 130' INT
    trap 'e2e_on_signal_netns TERM 143' TERM
    trap 'e2e_on_signal_netns HUP 129' HUP

    _e2e_require_base "$wtfn"
    local tool
    for tool in timeout "$E2E_PY"; do
        command -v "$tool" >/dev/null || e2e_die "required tool '$tool' not found"
    done
    [[ -f $E2E_ORACLE_PY ]] || e2e_die "$E2E_ORACLE_PY not found"
    e2e_reap_stale
    e2e_reap_stale_etc_netns
    E2E_TMP=$(mktemp -d "/tmp/wtfn-e2e-$E2E_NAME.$$.XXXXXX") || e2e_die "mktemp failed"
    chmod 0755 "$E2E_TMP"
}

# /etc/netns/wtfn-{c,r}-PID directories of runs that died without cleaning up.
e2e_reap_stale_etc_netns() {
    local d
    for d in /etc/netns/wtfn-c-* /etc/netns/wtfn-r-*; do
        [[ -d $d && $d =~ ^/etc/netns/wtfn-(c|r)-([0-9]+)$ ]] || continue
        e2e_pid_alive "${BASH_REMATCH[2]}" && continue
        rm -rf -- "$d"
    done
}

e2e_cleanup_netns() {
    local d
    for d in "${E2E_ETC_NETNS_DIRS[@]}"; do
        [[ -n $d && $d == /etc/netns/* ]] && rm -rf -- "$d"
    done
    E2E_ETC_NETNS_DIRS=()
    (( E2E_ETC_NETNS_MADE )) && rmdir /etc/netns 2>/dev/null
    E2E_ETC_NETNS_MADE=0
    e2e_cleanup
}

e2e_on_signal_netns() {
    local sig=$1 code=$2
    e2e_log "interrupted by SIG$sig, cleaning up"
    e2e_cleanup_netns
    trap - EXIT
    exit "$code"
}

e2e_netns_new() {
    local ns=$1
    # Registered before it exists: a signal between the two steps cannot leak it.
    E2E_NAMESPACES+=("$ns")
    if ! ip netns add "$ns"; then
        unset 'E2E_NAMESPACES[-1]'
        return 1
    fi
    ip -n "$ns" link set lo up || return 1
    # No router solicitations, no DAD: addresses are final at once, nothing is sent.
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0 \
        net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
        net.ipv6.conf.all.router_solicitations=0 net.ipv6.conf.default.router_solicitations=0 \
        >/dev/null 2>&1
    return 0
}

e2e_netns_drop() {
    local ns=$1 pid keep=() n inside
    # Our own processes in NS: TERM (bounded wait), then KILL; then anything else in NS.
    inside=" $(ip netns pids "$ns" 2>/dev/null | tr '\n' ' ') "
    for pid in "${E2E_PIDS[@]}"; do
        [[ $inside == *" $pid "* ]] && e2e_kill TERM "$pid"
    done
    for pid in "${E2E_PIDS[@]}"; do
        [[ $inside == *" $pid "* ]] || continue
        e2e_wait_gone "$pid" 2 || e2e_kill KILL "$pid"
        wait "$pid" 2>/dev/null
    done
    for pid in $(ip netns pids "$ns" 2>/dev/null); do
        kill -KILL "$pid" 2>/dev/null
    done
    e2e_netns_resolv_conf_clear "$ns"
    ip netns del "$ns" 2>/dev/null || { e2e_log "warning: could not delete netns $ns"; return 1; }
    for n in "${E2E_NAMESPACES[@]}"; do
        [[ $n == "$ns" ]] || keep+=("$n")
    done
    E2E_NAMESPACES=("${keep[@]}")
    return 0
}

e2e_netns_resolv_conf() {
    local ns=$1 text=$2
    if [[ ! -d /etc/netns ]]; then
        mkdir -p /etc/netns || return 1
        E2E_ETC_NETNS_MADE=1
    fi
    [[ -e /etc/netns/$ns ]] || E2E_ETC_NETNS_DIRS+=("/etc/netns/$ns")
    mkdir -p "/etc/netns/$ns" || return 1
    printf '%s\n' "$text" >"/etc/netns/$ns/resolv.conf"
}

e2e_netns_resolv_conf_clear() {
    local ns=$1 d keep=()
    for d in "${E2E_ETC_NETNS_DIRS[@]}"; do
        if [[ $d == "/etc/netns/$ns" ]]; then rm -rf -- "$d"; else keep+=("$d"); fi
    done
    E2E_ETC_NETNS_DIRS=("${keep[@]}")
}

_e2e_has_carrier() { [[ $(ip -n "$1" -br link show "$2" 2>/dev/null) == *LOWER_UP* ]]; }

# e2e_tun_hold NS DEV MODE [SECONDS=120]: a python3 process inside NS attaches to
# the existing tun/tap DEV (TUNSETIFF), so DEV has carrier; it exits by itself
# after SECONDS and is killed by pid on cleanup. Waits (max 5 s) for LOWER_UP.
e2e_tun_hold() {
    local ns=$1 dev=$2 mode=$3 secs=${4:-120}
    ip netns exec "$ns" "$E2E_PY" "$E2E_ORACLE_PY" tun-hold "$dev" "$mode" "$secs" \
        >"$E2E_TMP/tun-hold-$ns-$dev.log" 2>&1 &
    E2E_PIDS+=("$!")
    wait_until 5 0.02 _e2e_has_carrier "$ns" "$dev" && return 0
    e2e_log "tun-hold $dev: $(tr '\n' '|' <"$E2E_TMP/tun-hold-$ns-$dev.log" 2>/dev/null)"
    return 1
}

_e2e_stable_prev=
_e2e_stable_once() {
    local cur=$E2E_TMP/stable.$1.cur.json
    "$E2E_PY" "$E2E_ORACLE_PY" snapshot "$1" "$cur" >/dev/null 2>&1 || return 1
    if [[ -n $_e2e_stable_prev ]] && "$E2E_PY" "$E2E_ORACLE_PY" same "$_e2e_stable_prev" "$cur" >/dev/null 2>&1; then
        return 0
    fi
    mv -f "$cur" "$E2E_TMP/stable.$1.prev.json"
    _e2e_stable_prev=$E2E_TMP/stable.$1.prev.json
    return 1
}

# e2e_wait_stable NS [TIMEOUT_S=5]: the kernel settles links, IPv6 link-local addresses
# and their routes asynchronously; wait until two snapshots 0.3 s apart are equal.
e2e_wait_stable() {
    _e2e_stable_prev=
    wait_until "${2:-5}" 0.3 _e2e_stable_once "$1"
}

# e2e_results CMD...: run a checker whose output is "PASS: x" / "FAIL: x" lines, each
# FAIL followed by detail lines indented by 6 spaces (status_oracle.py), and count them
# with e2e_pass/e2e_fail. Other lines are printed as they are. A checker that exits
# non-zero without a FAIL line (a crash) is one FAIL.
e2e_results() {
    local out rc line pending='' fails=0 details=()
    out=$("$@" 2>&1)
    rc=$?
    _e2e_results_flush() {
        if [[ -n $pending ]]; then e2e_fail "$pending" "${details[@]}"; fi
        pending=
        details=()
    }
    while IFS= read -r line; do
        case $line in
            "PASS: "*) _e2e_results_flush; e2e_pass "${line#PASS: }" ;;
            "FAIL: "*) _e2e_results_flush; pending=${line#FAIL: }; fails=$((fails + 1)) ;;
            "      "*) if [[ -n $pending ]]; then details+=("${line#      }"); else printf '%s\n' "$line"; fi ;;
            *) _e2e_results_flush; [[ -n $line ]] && printf '%s\n' "$line" ;;
        esac
    done <<<"$out"
    _e2e_results_flush
    if (( rc != 0 && fails == 0 )); then
        e2e_fail "checker \`${*:1:3} ...\` exited $rc without a result" \
            "$(printf '%s\n' "$out" | tail -n 5)"
    fi
    return 0
}

# ---------------------------------------------------------------- status topology

# _e2e_sip NS ARGS...: `ip -n NS ARGS`, dying with the command and its message on error.
_e2e_sip() {
    local ns=$1 err
    shift
    err=$(ip -n "$ns" "$@" 2>&1 >/dev/null) || e2e_die "setup: ip -n $ns $* failed: $err"
}

# _e2e_try_link NS NAME KIND ARGS...: create a link of a kind the kernel may lack.
# "Unknown device type" (module missing) prints a SKIP line and returns 1.
_e2e_try_link() {
    local ns=$1 name=$2 kind=$3 err
    shift 3
    if err=$(ip -n "$ns" link add "$name" type "$kind" "$@" 2>&1); then
        return 0
    fi
    if [[ $err == *"Unknown device type"* || $err == *"not supported"* ]]; then
        printf 'SKIP %s: kernel has no support (%s)\n' "$kind" "${err//$'\n'/ }"
        return 1
    fi
    e2e_die "setup: ip -n $ns link add $name type $kind $* failed: $err"
}

# e2e_status_topology NS ISP: the namespace status_oracle.sh compares with iproute2.
#   ISP: veth-isp 10.201.0.2/24 fd00:201::2/64
#   NS:  lo; veth0 10.201.0.1/24 10.201.0.9/24 (label veth0:1) fd00:201::1/64 (peer veth-isp)
#        tun0 (tun, held open: carrier) 10.8.0.2/24 fd00:8::2/64
#        tap0 (tap, no carrier) 10.7.0.2/24
#        br0 (bridge) 10.6.0.1/24 with port brp0; brp0 is the veth peer of tun7
#        tun7 (veth, physical by kernel despite the name) 10.5.0.2/24
#        dn0 (veth, up, no carrier: its peer dn1 is down; ip flags it M-DOWN)
#        vx0 (vxlan 42 over veth0, no remote) 10.4.0.1/24
#        ethvpn0 (tun, tunnel by kernel despite the name) 10.8.1.2 peer 10.8.1.1
#        wg0 / gre1 / ipip1 / sit1 when the kernel supports them (SKIP lines otherwise)
#   routes: default via isp (both families), 0/1 + 128/1 and ::/1 + 8000::/1 via tun0,
#        metric/proto/src routes, multipath (both families), blackhole/unreachable/prohibit,
#        tables 100, 51820, default
#   rules: wg-quick's pair (both families), from/to/iif/oif/fwmark-mask rules, uidrange and
#        ipproto/dport rules (listed; their selectors are outside the compared contract),
#        blackhole/unreachable/prohibit/goto/nop rules
# Sets E2E_STATUS_CLASSES ("NAME=CLASS:BASIS" expectations for status_oracle.py --class).
E2E_STATUS_CLASSES=()
e2e_status_topology() {
    local ns=$1 isp=$2
    e2e_netns_new "$ns" || e2e_die "cannot create namespace $ns"
    e2e_netns_new "$isp" || e2e_die "cannot create namespace $isp"
    E2E_STATUS_CLASSES=("lo=loopback:kernel")

    _e2e_sip "$ns" link add veth0 type veth peer name veth-isp netns "$isp"
    _e2e_sip "$isp" addr add 10.201.0.2/24 dev veth-isp
    _e2e_sip "$isp" addr add fd00:201::2/64 dev veth-isp nodad
    _e2e_sip "$isp" link set veth-isp up
    _e2e_sip "$ns" addr add 10.201.0.1/24 dev veth0
    _e2e_sip "$ns" addr add fd00:201::1/64 dev veth0 nodad
    _e2e_sip "$ns" addr add 10.201.0.9/24 dev veth0 label veth0:1   # a secondary address
    _e2e_sip "$ns" link set veth0 up
    E2E_STATUS_CLASSES+=("veth0=physical:kernel")

    _e2e_sip "$ns" tuntap add dev tun0 mode tun
    _e2e_sip "$ns" addr add 10.8.0.2/24 dev tun0
    _e2e_sip "$ns" addr add fd00:8::2/64 dev tun0 nodad
    _e2e_sip "$ns" link set tun0 up
    e2e_tun_hold "$ns" tun0 tun || e2e_die "setup: tun0 has no carrier 5 s after a process attached to it"
    E2E_STATUS_CLASSES+=("tun0=tunnel:kernel")

    _e2e_sip "$ns" tuntap add dev tap0 mode tap
    _e2e_sip "$ns" addr add 10.7.0.2/24 dev tap0
    _e2e_sip "$ns" link set tap0 up
    E2E_STATUS_CLASSES+=("tap0=tunnel:kernel")   # link kind "tun" (a TAP VPN)

    _e2e_sip "$ns" link add br0 type bridge
    _e2e_sip "$ns" addr add 10.6.0.1/24 dev br0
    _e2e_sip "$ns" link add tun7 type veth peer name brp0
    _e2e_sip "$ns" link set brp0 master br0
    _e2e_sip "$ns" addr add 10.5.0.2/24 dev tun7
    _e2e_sip "$ns" link set brp0 up
    _e2e_sip "$ns" link set tun7 up
    _e2e_sip "$ns" link set br0 up
    E2E_STATUS_CLASSES+=("br0=physical:kernel" "brp0=physical:kernel" "tun7=physical:kernel")

    # A veth pair whose one end is down: ip shows the other end as NO-CARRIER and M-DOWN.
    _e2e_sip "$ns" link add dn0 type veth peer name dn1
    _e2e_sip "$ns" link set dn0 up
    E2E_STATUS_CLASSES+=("dn0=physical:kernel" "dn1=physical:kernel")

    _e2e_sip "$ns" link add vx0 type vxlan id 42 dstport 4789 local 10.201.0.1 dev veth0 nolearning
    _e2e_sip "$ns" addr add 10.4.0.1/24 dev vx0
    _e2e_sip "$ns" link set vx0 up
    E2E_STATUS_CLASSES+=("vx0=physical:kernel")

    _e2e_sip "$ns" tuntap add dev ethvpn0 mode tun
    _e2e_sip "$ns" addr add 10.8.1.2 peer 10.8.1.1 dev ethvpn0
    _e2e_sip "$ns" link set ethvpn0 up
    E2E_STATUS_CLASSES+=("ethvpn0=tunnel:kernel")

    if _e2e_try_link "$ns" wg0 wireguard; then
        _e2e_sip "$ns" addr add 10.10.0.1/24 dev wg0
        _e2e_sip "$ns" link set wg0 up
        E2E_STATUS_CLASSES+=("wg0=tunnel:kernel")
    fi
    if _e2e_try_link "$ns" gre1 gre remote 10.201.0.2 local 10.201.0.1; then
        _e2e_sip "$ns" addr add 10.11.0.1/24 dev gre1
        _e2e_sip "$ns" link set gre1 up
        E2E_STATUS_CLASSES+=("gre1=tunnel:kernel")
    fi
    if _e2e_try_link "$ns" ipip1 ipip remote 10.201.0.2 local 10.201.0.1; then
        _e2e_sip "$ns" link set ipip1 up
        E2E_STATUS_CLASSES+=("ipip1=tunnel:kernel")
    fi
    if _e2e_try_link "$ns" sit1 sit remote 10.201.0.2 local 10.201.0.1; then
        _e2e_sip "$ns" link set sit1 up
        E2E_STATUS_CLASSES+=("sit1=tunnel:kernel")
    fi

    # Routes.
    _e2e_sip "$ns" route add default via 10.201.0.2 dev veth0
    _e2e_sip "$ns" -6 route add default via fd00:201::2 dev veth0
    _e2e_sip "$ns" route add 0.0.0.0/1 dev tun0
    _e2e_sip "$ns" route add 128.0.0.0/1 dev tun0
    if ip -n "$ns" -6 route add ::/1 dev tun0 2>/dev/null && ip -n "$ns" -6 route add 8000::/1 dev tun0 2>/dev/null; then
        :
    else
        printf 'SKIP ipv6 full-tunnel pair: kernel refused ::/1 or 8000::/1 dev tun0\n'
    fi
    _e2e_sip "$ns" route add 198.51.100.0/24 via 10.201.0.3 dev veth0 metric 50 proto static
    _e2e_sip "$ns" route add 203.0.113.0/24 dev veth0 src 10.201.0.1 scope link
    _e2e_sip "$ns" route add blackhole 10.66.0.0/16
    _e2e_sip "$ns" route add unreachable 10.67.0.0/16
    _e2e_sip "$ns" route add prohibit 10.68.0.0/16
    _e2e_sip "$ns" -6 route add blackhole fd00:66::/32
    _e2e_sip "$ns" -6 route add 2001:db8:5::/48 via fd00:201::3 dev veth0 metric 300
    _e2e_sip "$ns" route add 10.9.0.0/16 via 10.201.0.3 dev veth0 table 100
    _e2e_sip "$ns" route add 192.0.2.0/24 dev tun0 table 100
    _e2e_sip "$ns" -6 route add fd00:9::/32 dev tun0 table 100
    _e2e_sip "$ns" route add default dev tun0 table 51820
    _e2e_sip "$ns" -6 route add default dev tun0 table 51820
    _e2e_sip "$ns" route add 10.99.0.0/16 dev veth0 table default
    _e2e_sip "$ns" route add 10.55.0.0/16 nexthop via 10.201.0.2 dev veth0 nexthop dev tun0
    _e2e_sip "$ns" -6 route add fd00:55::/32 nexthop via fd00:201::2 dev veth0 nexthop via fd00:201::3 dev veth0

    # Rules.
    _e2e_sip "$ns" rule add pref 1000 from 10.9.0.0/16 lookup 100
    _e2e_sip "$ns" rule add pref 1050 from 10.9.1.1 lookup 100
    _e2e_sip "$ns" rule add pref 1100 iif tun7 lookup 100
    _e2e_sip "$ns" rule add pref 1200 oif tun0 lookup 100
    _e2e_sip "$ns" rule add pref 1300 fwmark 0x1/0xff lookup 100
    _e2e_sip "$ns" rule add pref 1400 to 192.0.2.0/24 lookup 100
    _e2e_sip "$ns" rule add pref 1450 iif lo oif tun0 lookup 100
    _e2e_sip "$ns" rule add pref 1500 uidrange 1000-1999 lookup 100
    _e2e_sip "$ns" rule add pref 1600 ipproto udp dport 53 lookup 100
    _e2e_sip "$ns" rule add pref 32764 table main suppress_prefixlength 0
    _e2e_sip "$ns" rule add pref 32765 not fwmark 0xca6c table 51820
    _e2e_sip "$ns" rule add pref 40000 blackhole from 10.77.0.0/16
    _e2e_sip "$ns" rule add pref 40100 unreachable to 10.78.0.0/16
    _e2e_sip "$ns" rule add pref 40200 prohibit iif veth0
    _e2e_sip "$ns" rule add pref 40300 goto 40400
    _e2e_sip "$ns" rule add pref 40400 nop
    _e2e_sip "$ns" -6 rule add pref 1000 from fd00:9::/32 lookup 100
    _e2e_sip "$ns" -6 rule add pref 1300 fwmark 0x2/0xf lookup 100
    _e2e_sip "$ns" -6 rule add pref 32764 table main suppress_prefixlength 0
    _e2e_sip "$ns" -6 rule add pref 32765 not fwmark 0xca6c table 51820

    e2e_wait_stable "$ns" 5 || e2e_die "setup: the routing state of $ns did not settle within 5 s"
}
