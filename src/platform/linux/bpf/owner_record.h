// The record the eBPF programs hand to user space through the ring buffer: one per new
// (socket, 5-tuple) that sends to a DNS-like port. Plain C, shared by owner.bpf.c and the
// loader (bpf_owner_source.cc); fixed size, no pointers, so a record is copied as is.
#pragma once

#include <linux/types.h>

#define WTFN_OWNER_COMM_LEN 16
#define WTFN_OWNER_ARGS_LEN 128

// flags
#define WTFN_OWNER_KNOWN 0x1u /* a connect() or sendmsg() hook saw the owning task */

struct wtfn_owner {
    __u32 tgid;
    __u32 ppid;
    __u32 uid;
    __u32 args_len;     /* bytes of args used (NUL-separated, as in /proc/PID/cmdline) */
    __u64 start_ns;     /* thread-group leader's start_boottime: tells a reused pid apart */
    __u64 netns_cookie; /* the socket's network namespace */
    __u64 cgroup_id;
    char comm[WTFN_OWNER_COMM_LEN];  /* thread-group leader's comm, not the thread's */
    char pcomm[WTFN_OWNER_COMM_LEN]; /* the parent's */
    char args[WTFN_OWNER_ARGS_LEN];
    __u64 last_tuple; /* hash of the last 5-tuple reported for this socket */
};

struct wtfn_owner_event {
    __u8 flags;
    __u8 proto;  /* IPPROTO_UDP or IPPROTO_TCP */
    __u8 family; /* 4 or 6 */
    __u8 pad;
    __u16 sport; /* host order */
    __u16 dport;
    __u8 saddr[16];
    __u8 daddr[16];
    __u64 cookie; /* the socket's cookie, as sock_diag reports it */
    struct wtfn_owner owner;
    __u64 sent_ns; /* CLOCK_BOOTTIME when the packet left: tells apart two sockets that
                      used the same 5-tuple one after the other */
};
