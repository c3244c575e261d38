// The few kernel structures owner.bpf.c reads, declared with preserve_access_index: clang
// records each field access as a CO-RE relocation and libbpf resolves it against the
// running kernel's BTF (/sys/kernel/btf/vmlinux) at load time. Declaring only these fields,
// instead of generating a vmlinux.h from the build machine's kernel, keeps the build free of
// any one kernel's headers; the offsets always come from the kernel that runs the program.
#pragma once

#include <linux/types.h>

struct mm_struct {
    unsigned long arg_start;
    unsigned long arg_end;
} __attribute__((preserve_access_index));

struct task_struct {
    int tgid;
    struct task_struct* real_parent;
    struct task_struct* group_leader;
    struct mm_struct* mm;
    __u64 start_boottime;
    char comm[16];
} __attribute__((preserve_access_index));
