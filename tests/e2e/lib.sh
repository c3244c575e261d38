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

# e2e_init NAME WTFN: preconditions (each missing one is a FAIL with its reason),
# temp dir and traps. Sets E2E_WTFN (absolute path).
e2e_init() {
    E2E_NAME=$1
    local wtfn=${2:-}
    trap e2e_cleanup EXIT
    trap 'e2e_on_signal INT 130' INT
    trap 'e2e_on_signal TERM 143' TERM
    trap 'e2e_on_signal HUP 129' HUP

    [[ -n $wtfn ]] || e2e_die "usage: $0 PATH-TO-WTFN"
    [[ -x $wtfn && -f $wtfn ]] || e2e_die "wtfn binary '$wtfn' does not exist or is not executable"
    E2E_WTFN=$(cd "$(dirname "$wtfn")" && pwd)/$(basename "$wtfn")

    (( EUID == 0 )) || e2e_die "needs root (uid 0) to create network namespaces; running as uid $EUID"
    command -v ip >/dev/null || e2e_die "'ip' (iproute2) not found"
    local probe_ns="wtfn-e2e-probe-$$"
    ip netns add "$probe_ns" 2>/dev/null || e2e_die "'ip netns add' does not work here (no netns support or no CAP_SYS_ADMIN)"
    ip netns del "$probe_ns" 2>/dev/null
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
}

# A run killed with SIGKILL (e.g. by a ctest timeout) cannot clean up. Remove
# namespaces that an earlier run of these scripts created (wtfn-c-PID,
# wtfn-r-PID, wtfn-e2e-probe-PID) when that PID is no longer alive, together
# with the processes still inside them (a resolver that run started), and its
# temporary directory.
e2e_reap_stale() {
    local ns owner pid
    for ns in $(ip netns list 2>/dev/null | awk '{print $1}'); do
        [[ $ns =~ ^wtfn-(c|r|e2e-probe)-([0-9]+)$ ]] || continue
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
