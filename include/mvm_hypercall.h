/*
 * mvm_hypercall.h — the hypercall interface: how a guest asks the monitor
 * above it for virtual machines of its own (docs/hypercalls.md).
 *
 * A hypercall is an `ecall` with a7 = MVM_HC_BASE + number, arguments in
 * a0..a5 and the result (>= 0) or a negative Linux errno in a0. Every
 * pointer is an address in the caller's own memory and is checked against
 * its map; every handle is one the caller itself was given. Structures are
 * little-endian with the layouts below, whatever the host.
 */
#ifndef MVM_HYPERCALL_H
#define MVM_HYPERCALL_H

#define MVM_HC_BASE 0x4d564d00u   /* "MVM\0": far above any Linux syscall */
#define MVM_HC_MAGIC 0x4d564d01   /* what PROBE answers (version 1) */

enum mvm_hc {
    MVM_HC_PROBE = 0,        /* () -> MVM_HC_MAGIC */
    MVM_HC_VM_CREATE,        /* (config*, create flags, backing, parent) -> handle;
                                backing names the VM whose memory holds the new VM's
                                pages with MVM_HC_CREATE_NO_UNROLL (0: the caller);
                                parent the VM charged for it besides the caller
                                (0: the caller; a monitor forwarding a child's
                                request names that child) */
    MVM_HC_VM_DESTROY,       /* (h) */
    MVM_HC_VM_ADD_DIR,       /* (h, src, path*, guest path*, read_only): path names a
                                directory in src's view (0: the caller's own) */
    MVM_HC_VM_SET_CWD,       /* (h, path*) */
    MVM_HC_VM_LOAD_ELF,      /* (h, name*, image*, size, args*, args size) */
    MVM_HC_VM_MAP,           /* (h, addr, len, prot) */
    MVM_HC_VM_UNMAP,         /* (h, addr, len) */
    MVM_HC_VM_READ,          /* (h, child addr, buf*, len, checked): checked = as the
                                child's own load would (else any mapped page) */
    MVM_HC_VM_WRITE,         /* (h, child addr, buf*, len, checked) */
    MVM_HC_VCPU_GET,         /* (h, regs*) */
    MVM_HC_VCPU_SET,         /* (h, regs*) */
    MVM_HC_VM_RUN,           /* (h, exit*, flags): flags MVM_HC_RUN_* */
    MVM_HC_VM_SET_BUDGET,    /* (h, instructions) */
    MVM_HC_VM_STATS,         /* (h, stats*) */
    MVM_HC_VM_SYSCALL,       /* (h): serve the child's pending system call */
    MVM_HC_VM_ERROR,         /* (h, buf*, len): the last load error text */
    MVM_HC_VM_REDIRECT,      /* (h, src, fd, path*, how): stream fd of the child
                                from a file that path names in src's view */
    MVM_HC_VM_ALLOW_NET,     /* (h, src, direction, addr*): a network grant
                                (MVM_NET_LISTEN/CONNECT, "ADDR:PORT") that src
                                (0: the caller) holds itself */
    MVM_HC_BALLOON,          /* (op, addr, len): the caller's own balloon,
                                MVM_BALLOON_TARGET / GIVE / TAKE / HELD */
    MVM_HC_VM_BALLOON,       /* (h, op, addr, len): a child's balloon, any
                                MVM_BALLOON_* (SET: addr is the target) */
    MVM_HC_BOARD_CREATE,     /* (board config*, parent) -> handle of a board VM
                                (docs/board.md); parent as VM_CREATE's */
    MVM_HC_BOARD_LOAD,       /* (h, what, data*, size): MVM_BOARD_FIRMWARE, _KERNEL,
                                _BOOTARGS */
    MVM_HC_BOARD_DISK,       /* (h, src, path*, flags): a virtio disk on the file
                                path names in src's view (0: the caller's own),
                                MVM_DISK_RO / MVM_DISK_SNAPSHOT */
    MVM_HC_VM_LOAD_PATH,     /* (h, src, path*, args*, args size): VM_LOAD_ELF of the
                                program file path names in src's view (0: the
                                caller's own); its name is path */
    MVM_HC_COUNT
};

/* VM_CREATE flags: who serves the child's ecalls. */
#define MVM_HC_CREATE_EXIT_SYSCALLS   0x1  /* trusted: system calls exit to the owner */
#define MVM_HC_CREATE_EXIT_HYPERCALLS 0x2  /* trusted: hypercalls exit to the owner */
/* Neither flag: delegated (lowered) — the real environment serves both. */
#define MVM_HC_CREATE_NO_UNROLL       0x4  /* pages live in the backing VM's memory:
                                              every access walks each level's map */

/* VM_RUN flags. */
#define MVM_HC_RUN_SYSCALL 0x1  /* first serve the system call the child stopped
                                   at, as VM_SYSCALL would: one hypercall per
                                   passed-through call instead of two */

/* Balloon operations (docs/balloon.md); sizes in bytes, page-aligned. */
#define MVM_BALLOON_TARGET 0    /* -> how many bytes the monitor asks the balloon to hold */
#define MVM_BALLOON_GIVE   1    /* (addr, len): these pages go into the balloon (dropped) */
#define MVM_BALLOON_TAKE   2    /* (addr, len): these come back out (zero until written) */
#define MVM_BALLOON_HELD   3    /* -> how many bytes the balloon holds */
#define MVM_BALLOON_SET    4    /* (target): the owner asks (VM_BALLOON only) */
#define MVM_BALLOON_BY_GUEST 0x100   /* VM_BALLOON: or'd in by a monitor passing
                                        on its guest's own BALLOON call */

/* Exit reasons beyond enum mvm_exit_reason (only with the flags above). */
#define MVM_EXIT_SYSCALL   16   /* pending system call: a7 and a0..a5 in regs */
#define MVM_EXIT_HYPERCALL 17   /* pending hypercall: a7 and a0..a5 in regs */

/*
 * Layouts (byte offsets; u = unsigned, i = signed, little-endian):
 *   config (24): u64 mem_limit | i64 budget | u32 flags | u32 0
 *   exit   (40): u32 reason | i32 status | i32 signal | u32 cause
 *                | u64 addr | u64 pc | u64 instructions
 *   regs  (528): u64 pc | u64 x[32] | u64 f[32] | u32 fcsr | u32 0
 *   stats  (96): u64 instructions, syscalls, blocks_decoded, blocks_compiled,
 *                code_flushes, tlb_misses, resident_bytes, peak_bytes,
 *                zero_fills, cow_copies, shared_bytes,
 *                children_instructions
 *   args       : u32 argc | u32 envc | argc + envc NUL-terminated strings
 *   board  (40): u64 ram_bytes | u64 mem_limit | i64 budget | u32 harts
 *                | i32 icount | u32 flags | u32 0
 */
#define MVM_HC_CONFIG_SIZE 24
#define MVM_HC_EXIT_SIZE 40
#define MVM_HC_REGS_SIZE 528
#define MVM_HC_STATS_SIZE 96
#define MVM_HC_BOARD_SIZE 40
#define MVM_HC_ARGS_MAX (2u << 20)   /* what Linux and depth 1 allow: a quarter of the 8 MiB stack */
#define MVM_HC_IMAGE_MAX (256u << 20)
#define MVM_HC_MAX_CHILDREN 64

#endif
