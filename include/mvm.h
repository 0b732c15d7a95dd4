/*
 * mvm.h — libmvm, the one public interface of Matryoshka.
 *
 * A program embeds virtual machines through these calls; the mvm command
 * is built on them. Every call returns 0 or a negative MVM_E* error (a
 * Linux errno value); nothing here prints, exits or aborts.
 *
 * A VM runs one static RV64GC Linux program in process mode: its own
 * address space, one hart, the Linux system calls, and a sandboxed view of
 * the host directories granted with mvm_vm_add_dir.
 *
 *   mvm_vm *vm;
 *   struct mvm_config cfg = MVM_CONFIG_INIT;
 *   mvm_vm_create(&cfg, &vm);
 *   mvm_vm_load_elf(vm, image, size, argc, argv, 0, NULL);
 *   struct mvm_exit ex;
 *   mvm_vm_run(vm, &ex);            // until the program exits or faults
 *   mvm_vm_destroy(vm);
 */
#ifndef MVM_H
#define MVM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MVM_VERSION "0.1.0"

/* Errors (negated). */
#define MVM_EPERM   1
#define MVM_ENOENT  2
#define MVM_ENOEXEC 8
#define MVM_EBADF   9
#define MVM_ENOMEM  12
#define MVM_EACCES  13   /* not granted */
#define MVM_EFAULT  14
#define MVM_EBUSY   16
#define MVM_EINVAL  22
#define MVM_EIO     5    /* a snapshot file could not be read or written */
#define MVM_ENOSYS  38   /* not available for this VM or in this build */
#define MVM_ELOOP   40   /* VMs nested deeper than MVM_MAX_DEPTH */
#define MVM_EBADMSG 74   /* a snapshot is corrupt or truncated */
#define MVM_ENOTSUP 95   /* state a snapshot cannot hold yet; a snapshot of a
                            newer format, or compressed without zstd here */

/*
 * Limits. A VM created by mvm_vm_create is at depth 1, a VM it creates
 * at depth 2, and so on; a VM at MVM_MAX_DEPTH may not create VMs. A
 * memory limit, when given, is at least MVM_MEM_MIN: what a VM costs
 * the monitor before it runs anything (its hart, tables and stack).
 */
#define MVM_MAX_DEPTH 32
#define MVM_MEM_MIN (1u << 20)

/* Permissions of mapped guest memory. */
#define MVM_PROT_READ  1
#define MVM_PROT_WRITE 2
#define MVM_PROT_EXEC  4

/* Configuration flags. */
#define MVM_TRACE_SYSCALLS 0x1   /* one line per system call on stderr */
#define MVM_TRACE_INSNS    0x2   /* one line per instruction on stderr */
#define MVM_NO_JIT         0x4   /* interpret every block */
#define MVM_NO_UNROLL      0x8   /* nested: keep the VM's pages in this process's
                                    own memory, so each access walks every
                                    level's map (instead of one composed map) */
#define MVM_STREAM_META    0x10  /* the guest may change the metadata (mode,
                                    owner, times) of standard streams that
                                    come from outside its sandbox */
#define MVM_EAGER_RESTORE  0x20  /* mvm_vm_restore: read all memory before the
                                    VM runs (default: on first touch) */
#define MVM_CLONE_TEMPLATE 0x40  /* mvm_vm_restore: the VM is a template for
                                    mvm_vm_clone: all memory read, and its page
                                    tables made ready to lend (once, here,
                                    rather than by the first clone) */

/*
 * Where a VM runs when this program itself runs inside mvm (see
 * docs/design.md, "Nesting"). Outside mvm every VM is interpreted here.
 */
enum mvm_nest_mode {
    MVM_NEST_AUTO = 0,    /* LOWERED inside mvm, else here */
    MVM_NEST_EMULATE,     /* interpret the VM in this process */
    MVM_NEST_TRUSTED,     /* the real environment runs it and serves its
                             hypercalls; its system calls come back here */
    MVM_NEST_LOWERED,     /* the real environment runs it and serves its
                             system calls and hypercalls itself */
};

typedef struct mvm_domain mvm_domain;

struct mvm_config {
    uint64_t mem_limit;   /* bytes of host memory for the VM: its pages and
                             what the monitor spends on it; 0 = 2 GiB */
    int64_t budget;       /* instructions before MVM_EXIT_BUDGET; 0 = unlimited */
    unsigned flags;       /* MVM_TRACE_*, MVM_NO_JIT */
    unsigned nest_mode;   /* enum mvm_nest_mode */
    mvm_domain *domain;   /* the memory domain it joins (below), or NULL */
};
#define MVM_CONFIG_INIT { 0, 0, 0, MVM_NEST_AUTO, 0 }

/*
 * Memory domains (docs/fleet.md, "Memory"). The VMs made with a domain in
 * their config are counted together: the domain's mem_limit caps what
 * they all hold (each VM's own limit still applies), and a domain made
 * with a parent is counted in the parent's too (a host budget above
 * several tenants). With MVM_DOMAIN_SHARE, pages of equal bytes in its
 * VMs (and in the VMs they make) are merged into one host page, shared
 * copy-on-write: zero pages are dropped, and a page is hashed (xxHash),
 * then compared byte for byte with its candidate before it is merged.
 * The scan runs in a thread of the domain's, scan_rate pages a second,
 * or in mvm_domain_scan (pages: how many to look at; returns how many it
 * did). Sharing lets one VM learn, by timing its writes, whether another
 * holds a page of the same bytes: put only VMs that trust each other in
 * one sharing domain. -MVM_ENOSYS: a build without xxHash (sharing), or
 * a VM the monitor above would run (inside mvm, not emulated). A domain
 * is freed after its VMs and its child domains.
 *
 * With MVM_DOMAIN_BALLOON (and a mem_limit) the domain's thread asks the
 * balloons of its VMs (those with a driver running, docs/balloon.md) for
 * memory when they hold more than 80 % of the limit, enough to come down
 * to 70 %, and gives it back below 60 %; it steers the VMs of its child
 * domains too, unless they have a balloon policy of their own.
 *
 * With swap_dir (and a mem_limit) the domain has a swap file there (made
 * and unlinked at once: nothing is left behind), up to swap_max bytes (0:
 * no limit of its own): above 95 % of the limit its thread writes cold
 * pages of its VMs out (a clock over their accessed bits) until they hold
 * 90 %, after the balloons had their chance. A swapped page comes back on
 * its first touch, checked against its checksum; a VM whose page comes
 * back wrong stops (MVM_EXIT_LOST, cause MVM_LOST_SWAP), the others go
 * on. -MVM_EACCES (or another errno) for a directory that cannot hold it.
 */
#define MVM_DOMAIN_SHARE 0x1
#define MVM_DOMAIN_BALLOON 0x2
struct mvm_domain_config {
    uint64_t mem_limit;   /* bytes for all its VMs together; 0: unlimited */
    unsigned flags;       /* MVM_DOMAIN_SHARE, MVM_DOMAIN_BALLOON */
    unsigned scan_rate;   /* pages a second the scan thread looks at; 0: none */
    mvm_domain *parent;   /* counted in too, or NULL */
    const char *swap_dir; /* a directory for its swap file, or NULL */
    uint64_t swap_max;    /* bytes the swap file may hold; 0: no limit */
};
struct mvm_domain_stats {
    uint64_t resident_bytes, peak_bytes;   /* host memory its VMs hold */
    uint64_t scanned_pages;   /* private pages the scan looked at */
    uint64_t merged_pages;    /* host pages freed by merging equal pages */
    uint64_t zero_pages;      /* zero pages dropped */
    uint64_t stable_pages;    /* pages kept for sharing now */
    uint64_t passes;          /* complete scans of its memory */
    uint64_t balloon_target_bytes;   /* what its VMs' balloons are asked for */
    uint64_t ballooned_bytes;        /* ... and what they hold */
    uint64_t ballooned_peak_bytes;   /* the most they held together (its policy's view) */
    uint64_t inflations, deflations; /* times its policy asked for more, less */
    uint64_t swapped_bytes, swap_peak_bytes;   /* in its swap file now, at most */
    uint64_t swapped_out, swapped_in;          /* pages written out, read back */
    uint64_t swap_corrupt;                     /* pages that came back wrong */
};
int mvm_domain_new(const struct mvm_domain_config *cfg, mvm_domain **out);
long mvm_domain_scan(mvm_domain *d, uint64_t pages);
int mvm_domain_stats(const mvm_domain *d, struct mvm_domain_stats *out);
void mvm_domain_free(mvm_domain *d);

typedef struct mvm_vm mvm_vm;

/* Why mvm_vm_run returned. */
enum mvm_exit_reason {
    MVM_EXIT_EXITED = 1,  /* the program called exit: status */
    MVM_EXIT_SIGNALED,    /* the program died as Linux would kill it: signal */
    MVM_EXIT_FAULT,       /* a guest fault killed it: signal, cause, addr, pc */
    MVM_EXIT_BUDGET,      /* the instruction budget ran out: pc */
    MVM_EXIT_NOMEM,       /* the memory limit was reached: pc */
    MVM_EXIT_INTERRUPTED, /* mvm_vm_interrupt ended the run: run again to go on */
    MVM_EXIT_LOST,        /* guest memory could not be loaded (a lazily restored
                             snapshot, cause MVM_LOST_SNAPSHOT, or the swap
                             file, MVM_LOST_SWAP, gave other bytes): what says
                             why; pc */
};

struct mvm_exit {
    int reason;           /* enum mvm_exit_reason */
    int status;           /* exit status for EXITED; 128 + signal otherwise;
                             124 for BUDGET (as the mvm command exits) */
    int signal;           /* SIGNALED, FAULT, NOMEM: the Linux signal number */
    uint32_t cause;       /* FAULT: the RISC-V exception cause; LOST: MVM_LOST_* */
    uint64_t addr;        /* FAULT: the faulting address (or instruction bits) */
    uint64_t pc;          /* where the hart stopped */
    uint64_t instructions;/* what the run cost: instructions the VM retired
                             and those its own VMs ran meanwhile */
    const char *what;     /* FAULT: "store access", "illegal instruction", ...;
                             LOST: the reason, valid while the VM lives */
};

#define MVM_LOST_SNAPSHOT 0
#define MVM_LOST_SWAP 1

/* The hart's user-visible state. f[] holds raw bits (singles NaN-boxed). */
struct mvm_regs {
    uint64_t pc;
    uint64_t x[32];       /* x[0] reads as 0 */
    uint64_t f[32];
    uint32_t fcsr;
};

struct mvm_stats {
    uint64_t instructions, syscalls, blocks_decoded, blocks_compiled;
    uint64_t code_flushes, tlb_misses;
    uint64_t resident_bytes, peak_bytes, zero_fills, cow_copies;
    uint64_t shared_bytes;   /* of resident_bytes, pages shared with another
                                VM or process (clones, fork), copied on write */
    uint64_t children_instructions;   /* what the VMs its guest made ran (at
                                any depth), charged to it as to its budget */
    uint64_t balloon_target_bytes, ballooned_bytes;   /* its balloon's target,
                                and what the guest holds in it */
    uint64_t swapped_bytes;  /* its pages in its domain's swap file */
    /* The block compiler: blocks compiled with the loop they are in (of
     * blocks_compiled), bytes of host code they took, and host time spent
     * compiling. Not carried through VM_STATS: 0 for a VM made by a guest. */
    uint64_t jit_regions, jit_code_bytes, jit_compile_ns;
};

const char *mvm_version(void);
/* Is this program running inside mvm (does the monitor above answer)? */
int mvm_inside(void);
const char *mvm_strerror(int err);   /* err as returned (negative) */

int mvm_vm_create(const struct mvm_config *cfg, mvm_vm **out);
void mvm_vm_destroy(mvm_vm *vm);

/* Grants the guest host_dir at guest_path (read-only if read_only != 0). */
int mvm_vm_add_dir(mvm_vm *vm, const char *host_dir, const char *guest_path, int read_only);
int mvm_vm_set_cwd(mvm_vm *vm, const char *guest_path);

/*
 * The network is off by default: the guest may make sockets, but binds
 * and connects fail with EACCES (as behind a firewall) except where
 * granted. addr is "IPV4:PORT", "[IPV6]:PORT" or "localhost:PORT"
 * (numeric addresses only; no name lookup). A listen grant lets the guest
 * bind and listen on exactly that address and port; a connect grant lets
 * it connect (or send datagrams) there. Inside mvm a VM can be granted
 * only what this program was granted itself (-13, EACCES, otherwise).
 */
#define MVM_NET_LISTEN  0
#define MVM_NET_CONNECT 1
int mvm_vm_allow_net(mvm_vm *vm, int direction, const char *addr);
int mvm_vm_allow_listen(mvm_vm *vm, const char *addr);
int mvm_vm_allow_connect(mvm_vm *vm, const char *addr);

/*
 * Points the guest's standard stream fd (0, 1 or 2) at a file of ours:
 * path is opened for reading (MVM_REDIRECT_READ), or created and
 * truncated (MVM_REDIRECT_WRITE) or appended to (MVM_REDIRECT_APPEND).
 * Inside mvm, path is resolved in this program's own sandbox. The VMs
 * its guest makes (lowered or trusted nesting) write where it does, as in
 * emulated nesting; so do the ones it has already (a restored or cloned
 * VM's) and its processes, where their stream is still the monitor's.
 */
#define MVM_REDIRECT_READ   0
#define MVM_REDIRECT_WRITE  1
#define MVM_REDIRECT_APPEND 2
int mvm_vm_redirect(mvm_vm *vm, int fd, const char *path, int how);

/*
 * Loads a static ELF64 RISC-V executable and builds its Linux initial
 * stack. On -MVM_ENOEXEC, mvm_vm_error(vm) says what is wrong with the file.
 * name is what the guest sees as its program path (AT_EXECFN).
 */
int mvm_vm_load_elf(mvm_vm *vm, const char *name, const void *image, size_t size,
                    int argc, char *const argv[], int envc, char *const envp[]);
/*
 * The same from an open regular file (read from its start with pread; the
 * position and the descriptor are left alone): the loader reads what it
 * needs straight into the guest's memory, with no copy of the whole file
 * in between. -MVM_EIO if the file cannot be read or shrinks meanwhile
 * (mvm_vm_error says which).
 */
int mvm_vm_load_elf_fd(mvm_vm *vm, const char *name, int fd, int argc, char *const argv[], int envc,
                       char *const envp[]);
/*
 * The same from the file at path (also the name the guest sees). A VM the
 * monitor above runs has it load the file itself (VM_LOAD_PATH): nothing
 * is read here. Files loaded more than once in a tree of VMs are read
 * once (docs/design.md, "Program images"). -MVM_ENOENT, -MVM_EACCES ...
 * if path cannot be opened.
 */
int mvm_vm_load_elf_path(mvm_vm *vm, const char *path, int argc, char *const argv[], int envc,
                         char *const envp[]);
const char *mvm_vm_error(const mvm_vm *vm);

/*
 * A VM started from one already loaded: tmpl, loaded and never run, is
 * copied — its memory shared copy-on-write (the first write on either
 * side copies a page), its registers, files, directory and network
 * grants, working directory — with fresh AT_RANDOM bytes; cfg gives the
 * new VM its own limit and budget (its flags add to the template's). The new
 * VM's pool is cfg->domain's, which must be the template's domain or of
 * its tree, or else below the template's (its pages count for the
 * template's limit too). Destroy the copies before the template.
 * -MVM_EINVAL: tmpl ran, is not loaded, or is a VM a guest made;
 * -MVM_ENOSYS: a VM the monitor above runs.
 */
int mvm_vm_fork(mvm_vm *tmpl, const struct mvm_config *cfg, mvm_vm **out);

/* Guest memory: anonymous zero pages, and copies in and out of it. */
int mvm_vm_map(mvm_vm *vm, uint64_t addr, uint64_t len, int prot);
int mvm_vm_unmap(mvm_vm *vm, uint64_t addr, uint64_t len);
int mvm_vm_write(mvm_vm *vm, uint64_t addr, const void *src, size_t len);
int mvm_vm_read(mvm_vm *vm, uint64_t addr, void *dst, size_t len);

int mvm_vcpu_get_regs(mvm_vm *vm, struct mvm_regs *regs);
int mvm_vcpu_set_regs(mvm_vm *vm, const struct mvm_regs *regs);

/*
 * Runs until the program ends, faults, runs out of budget or memory; the
 * system calls in between are served. -MVM_EBUSY if it already ended.
 * A VM created by a guest never runs more instructions than its creator
 * (and every VM above) has left, and what it runs is charged to each of
 * them: a budget caps a whole tree.
 */
int mvm_vm_run(mvm_vm *vm, struct mvm_exit *exit);
/* Sets the instruction budget for the following runs (0 = unlimited). */
int mvm_vm_set_budget(mvm_vm *vm, int64_t budget);
/* What is left of it: 0 unlimited, -1 spent. */
int mvm_vm_get_budget(const mvm_vm *vm, int64_t *left);

void mvm_vm_stats(const mvm_vm *vm, struct mvm_stats *out);

/*
 * Profiling: from now on, every piece of host code the block compiler
 * makes in this process is announced in /tmp/perf-PID.map, the file perf
 * reads to name code it finds no symbols for ("START SIZE rv64:PC", PC
 * the guest address it was compiled from; "rv64:PC+N" for a region of N
 * more blocks). The file is made anew (truncated) and written line by
 * line. 0, or -MVM_EIO if it cannot be made (errno says why); a second
 * call does nothing.
 */
int mvm_perf_map_open(void);

/*
 * System mode (docs/board.md): a board laid out like QEMU's virt machine
 * is a VM too. mvm_board_create makes one with its RAM, harts and devices;
 * mvm_board_load and mvm_board_add_disk give it its files; mvm_vm_run
 * powers it on and runs it until it ends (-MVM_EBUSY after), restarting
 * it from its files on each reset the guest asks for; a run stopped by
 * the budget or mvm_vm_interrupt goes on at the next. mvm_vm_destroy,
 * mvm_vm_stats, mvm_vm_set_budget, mvm_vm_set_interruptible,
 * mvm_vm_interrupt, mvm_vm_snapshot (between runs), mvm_vm_restore and
 * mvm_vm_error apply to a board; the calls that name a process's memory,
 * registers or files are -MVM_EINVAL.
 * Inside mvm (unless nest_mode is MVM_NEST_EMULATE) the monitor above
 * makes and runs it — the real environment, in trusted and lowered
 * nesting — so a board costs at depth d what it costs at depth 1. Its
 * console is the UART on its creator's standard input and output.
 * mvm_vm_run's exit for a board: EXITED with the status it powered off
 * with (cause MVM_BOARD_POWEROFF) or 0 (cause MVM_BOARD_QUIT: Ctrl-A x
 * on the console); BUDGET; NOMEM. pc is hart 0's, and addr the mode it
 * was in (0 U, 1 S, 3 M).
 */
struct mvm_board_config {
    uint64_t ram_bytes;   /* a multiple of 4 KiB from 1 MiB to 256 GiB (0: 128 MiB) */
    uint64_t mem_limit;   /* host memory it may hold (0: no limit of its own) */
    int64_t budget;       /* instructions of all harts (0: unlimited) */
    unsigned harts;       /* 1 to 8, each run by a host thread (0: 1) */
    int icount;           /* -1: mtime is the host's clock; 0 to 10: each
                             instruction is 2^icount ns of virtual time */
    unsigned flags;       /* MVM_NO_JIT, MVM_BOARD_RNG */
    unsigned nest_mode;   /* enum mvm_nest_mode, inside mvm */
};
#define MVM_BOARD_CONFIG_INIT { 0, 0, 0, 1, -1, 0, MVM_NEST_AUTO }
#define MVM_BOARD_RNG 0x100     /* a virtio entropy device, after the disks */
int mvm_board_create(const struct mvm_board_config *cfg, mvm_vm **out);
/* Whether vm is a board (mvm_vm_restore gives one for a board's snapshot). */
int mvm_vm_is_board(const mvm_vm *vm);

/* What mvm_board_load gives the board: the firmware (an ELF loaded at its
 * physical addresses, or a raw image at the start of RAM; hart 0 starts
 * at its entry in M mode), the kernel the firmware starts next (an ELF,
 * or a raw image 2 MiB into RAM, as OpenSBI's fw_jump expects) or the
 * kernel's command line (/chosen/bootargs in the device tree; size
 * without the NUL). -MVM_ENOEXEC with mvm_vm_error set for a file that
 * is not one, is for another machine or does not fit in RAM. */
#define MVM_BOARD_FIRMWARE 0
#define MVM_BOARD_KERNEL   1
#define MVM_BOARD_BOOTARGS 2
int mvm_board_load(mvm_vm *vm, int what, const void *data, size_t size);

/* A virtio block device on the file at path (up to 7; each takes the
 * next virtio-mmio slot). MVM_DISK_RO: the guest may not write it;
 * MVM_DISK_SNAPSHOT: writes go to a temporary overlay and the file stays
 * as it was. Inside mvm, path is resolved in this program's own sandbox
 * and opened with its rights. On error mvm_vm_error says why. */
#define MVM_DISK_RO       0x1
#define MVM_DISK_SNAPSHOT 0x2
#define MVM_BOARD_DISKS   7
int mvm_board_add_disk(mvm_vm *vm, const char *path, unsigned flags);

/* How a board ended (mvm_exit.cause, with MVM_EXIT_EXITED). */
#define MVM_BOARD_POWEROFF 1
#define MVM_BOARD_QUIT     2


/*
 * The VMs vm's guest made (by hypercall) that this process runs, in the
 * order of their handles: up to max of them in out; returns how many
 * there are (more than max: the rest were left out). Read only while vm
 * is between runs, as its stats (its guest makes and destroys them while
 * it runs). 0 for a VM the monitor above runs: its VMs are that
 * monitor's.
 */
int mvm_vm_children(const mvm_vm *vm, mvm_vm **out, int max);

/*
 * Ballooning (docs/balloon.md). A VM's owner asks its guest to give back
 * memory by setting the balloon's target; a guest that links the balloon
 * driver (below) gives pages it can spare into the balloon, and the
 * monitor drops them. mvm_vm_balloon_set may be called at any time, from
 * any thread (a policy's); target is rounded down to whole pages.
 * mvm_vm_balloon_get says what it asked for and what the guest holds.
 */
int mvm_vm_balloon_set(mvm_vm *vm, uint64_t target_bytes);
int mvm_vm_balloon_get(mvm_vm *vm, uint64_t *target_bytes, uint64_t *held_bytes);

/*
 * The guest's side, for a program running inside mvm: -MVM_ENOSYS
 * elsewhere. mvm_balloon_target is what the monitor asks the balloon to
 * hold (bytes); mvm_balloon_give puts the pages of [addr, addr+len)
 * (page-aligned, mapped writable, the program's own) into it: the monitor
 * drops them, and they read as zero if touched; mvm_balloon_take takes
 * them back out. The driver does this with memory from malloc:
 * mvm_balloon_poll makes one step towards the target — first asking
 * reclaim (if set) to free up to the bytes still to give (the program's
 * caches), then trimming the heap, then filling the balloon with heap
 * chunks, or emptying it when the target falls — and returns the bytes
 * the balloon holds, or a negative error; mvm_balloon_start runs it
 * every period_ms in a thread of its own, until mvm_balloon_stop (which
 * empties the balloon).
 */
long mvm_balloon_target(void);
int mvm_balloon_give(void *addr, size_t len);
int mvm_balloon_take(void *addr, size_t len);
typedef size_t (*mvm_balloon_reclaim_fn)(size_t bytes, void *arg);
void mvm_balloon_set_reclaim(mvm_balloon_reclaim_fn fn, void *arg);
long mvm_balloon_poll(void);
int mvm_balloon_start(unsigned period_ms);
void mvm_balloon_stop(void);

/*
 * Interrupting a run from another host thread (a signal watcher, a
 * control loop). mvm_vm_set_interruptible, before running, makes the VM
 * run in time slices (about 200000 instructions); mvm_vm_interrupt then
 * ends the current run at a slice end, a system call or a blocking system
 * call, which is run again later (also inside a VM its guest made and
 * runs now), or, between runs, the next one before it runs anything:
 * mvm_vm_run returns MVM_EXIT_INTERRUPTED
 * and the VM goes on at the next mvm_vm_run. -MVM_ENOSYS for a VM run by
 * the monitor above (inside mvm) or not made interruptible.
 */
int mvm_vm_set_interruptible(mvm_vm *vm);
int mvm_vm_interrupt(mvm_vm *vm);

/*
 * Snapshots (docs/snapshot-format.md). mvm_vm_snapshot saves a VM that is
 * between runs (after mvm_vm_run returned MVM_EXIT_BUDGET or
 * MVM_EXIT_INTERRUPTED, or before its first run): registers, memory,
 * threads and processes (the others are stopped for it, and go on at the
 * next run), signal state, open files (by their guest paths), pipes,
 * sockets (connections come back reset), eventfds, timerfds, epoll
 * instances and grants, and the VMs its guest made, at any depth (a run
 * of one that a budget or an interruption above cut short is not an exit
 * of its: its creator's VM_RUN is made again, docs/hypercalls.md).
 * The file is written beside path and renamed over it only when
 * complete; its sections are compressed with zstd where this build has
 * it and flags does not say MVM_SNAPSHOT_UNCOMPRESSED. Errors:
 * -MVM_ENOTSUP (with mvm_vm_error saying what, e.g. a Unix socket bound
 * to a name, a VM of its own whose memory is not unrolled), -MVM_EBUSY (it has ended, or a process did not stop),
 * -MVM_EIO, -MVM_ENOSYS (a build without snapshots, or a VM run by the
 * monitor above); the VM is unchanged and may run on.
 *
 * mvm_vm_restore makes a new VM from a snapshot, ready to run on. cfg may
 * be NULL (the snapshot's settings); otherwise its budget (0: what the
 * snapshot had left) and, if not 0, mem_limit apply, and its flags are
 * added. A snapshot grants nothing by itself: every directory and network
 * grant it records must be given again in grants (a directory by its
 * guest path, with the host directory to map there now: the same or
 * another; a network grant exactly as it was), or the restore fails with
 * -MVM_EACCES naming it; grants it does not record are added. On error
 * *out is NULL and err holds one line: -MVM_ENOEXEC (not a snapshot),
 * -MVM_ENOTSUP (a newer format, or compressed and this build has no
 * zstd), -MVM_EBADMSG (corrupt or truncated), -MVM_EIO (unreadable),
 * -MVM_EACCES (a grant is missing), -MVM_ENOENT and other errno values (a
 * directory or an open file is missing here), -MVM_ENOMEM (over the
 * memory limit). Memory is restored lazily: the snapshot file stays
 * open and each part of it (1 MiB of pages) is read, checked and given to
 * the VM when one of its pages is first touched (MVM_EAGER_RESTORE in
 * cfg's flags reads it all first). A part found changed or damaged then
 * ends the run with MVM_EXIT_LOST.
 */
struct mvm_grant {
    int kind;             /* MVM_GRANT_* */
    const char *host;     /* DIR: the host directory */
    const char *guest;    /* DIR: the guest path; LISTEN, CONNECT: "ADDR:PORT" */
    int read_only;        /* DIR */
};
#define MVM_GRANT_DIR 0
#define MVM_GRANT_LISTEN 1
#define MVM_GRANT_CONNECT 2
#define MVM_SNAPSHOT_UNCOMPRESSED 0x1   /* for a monitor built without zstd */
int mvm_vm_snapshot(mvm_vm *vm, const char *path, unsigned flags);

/*
 * Fleets (docs/fleet.md): many VMs sharing a pool of host threads by
 * weight, as Linux's CFS shares a CPU among cgroups by cpu.weight. Each
 * VM has a virtual time (its instructions scaled by 100 / weight); a free
 * thread runs the ready VM whose virtual time is least for one turn of
 * `quantum` instructions; a run longer than slice_ms is interrupted, so
 * that a VM blocked in a system call gives its thread back (the call is
 * made again on its next turn). The VMs a guest makes run in its turns,
 * charged to it. mvm_fleet_new (cfg may be NULL: every default), then
 * mvm_fleet_add for each VM — loaded, between runs, still the caller's
 * to destroy after the fleet; made interruptible; its own budget counts —
 * which returns its index; then mvm_fleet_run runs them all to their ends
 * (or until the fleet's budget is spent: those left stop with
 * MVM_EXIT_BUDGET, status 124). mvm_fleet_result says how VM i ended
 * (-MVM_EBUSY before the end) and what it ran; a VM whose run failed
 * (mvm_vm_run's error in stats.error) has status 123 and no reason.
 *
 * Steering a running fleet from another thread (a control socket, a
 * monitor's own loop). mvm_fleet_pause: VM i is not given another turn
 * until mvm_fleet_resume; a turn it is in is interrupted, and the call
 * returns once it has ended (the others keep their shares: what it does
 * not run is theirs); resumed, it rejoins at the least virtual time of
 * the others, so that the time it was paused is not owed to it (as CFS
 * places a task that wakes). mvm_fleet_kill ends VM i as SIGKILL ends a Linux
 * process: its result is MVM_EXIT_SIGNALED, signal 9, status 137, pc 0,
 * stats.killed set, what it ran kept. Both are -MVM_EBUSY for a VM that
 * has ended (kill too if it ended by itself during the turn it cut
 * short: that end stands). mvm_fleet_hold waits until VM i is between turns (its turn
 * is cut short) and keeps it there, so that the caller may read it —
 * mvm_vm_stats, mvm_vm_children and the stats of those — until
 * mvm_fleet_release; info (may be NULL) is its state when asked, its
 * weight and its counts. mvm_fleet_stats_of is the three at once. Calls
 * hold no lock while the VM is read; a hold delays only that VM. All of
 * these, mvm_fleet_result and mvm_fleet_info work before, during and
 * after mvm_fleet_run, until mvm_fleet_free.
 */
struct mvm_fleet_config {
    int threads;          /* host threads, 1-256; 0: the host's CPUs */
    int64_t quantum;      /* instructions a turn; 0: 1000000 */
    int64_t budget;       /* instructions of all its VMs together; 0: unlimited */
    unsigned slice_ms;    /* a longer run is interrupted; 0: 50 */
};
struct mvm_fleet_stats {
    uint64_t instructions;/* what it ran (its own VMs' too) */
    uint64_t turns;
    int error;            /* mvm_vm_run's error, if it ended so */
    int killed;           /* 1: ended by mvm_fleet_kill */
};
enum mvm_fleet_state {
    MVM_FLEET_READY = 1,  /* waiting for its turn */
    MVM_FLEET_RUNNING,    /* in a turn on a host thread now */
    MVM_FLEET_PAUSED,     /* given no turn until resumed */
    MVM_FLEET_DONE,       /* ended: mvm_fleet_result says how */
};
struct mvm_fleet_member {
    int state;            /* enum mvm_fleet_state */
    int weight;
    uint64_t instructions;/* what it ran (its own VMs' too), as in mvm_fleet_stats */
    uint64_t turns;
};
typedef struct mvm_fleet mvm_fleet;
int mvm_fleet_new(const struct mvm_fleet_config *cfg, mvm_fleet **out);
int mvm_fleet_add(mvm_fleet *f, mvm_vm *vm, int weight);   /* weight 1-10000 (100: the default share) */
int mvm_fleet_run(mvm_fleet *f);
int mvm_fleet_result(const mvm_fleet *f, int i, struct mvm_exit *ex, struct mvm_fleet_stats *stats);
/* The settings in force (defaults filled in) and what all its VMs ran. */
void mvm_fleet_info(const mvm_fleet *f, struct mvm_fleet_config *cfg, uint64_t *instructions);
int mvm_fleet_size(const mvm_fleet *f);   /* how many VMs were added */
int mvm_fleet_pause(mvm_fleet *f, int i);
int mvm_fleet_resume(mvm_fleet *f, int i);
int mvm_fleet_kill(mvm_fleet *f, int i);
int mvm_fleet_hold(mvm_fleet *f, int i, struct mvm_fleet_member *info);
void mvm_fleet_release(mvm_fleet *f, int i);
int mvm_fleet_stats_of(mvm_fleet *f, int i, struct mvm_stats *out, struct mvm_fleet_member *info);
void mvm_fleet_free(mvm_fleet *f);

/*
 * Live migration (pre-copy), over a connected stream fd that the caller
 * owns (and closes). The sender, with vm between runs:
 *   mvm_migrate_begin(vm, fd, flags, &m)  the settings; dirty tracking on
 *   mvm_migrate_step(m, max_pages)        alternately with short runs of
 *       the VM: sends up to max_pages pages of the round (the first round
 *       every mapped page, each later one what the VM wrote since the one
 *       before); returns how many of the round are left (0: the round is
 *       done; the next step starts the next), or an error
 *   mvm_migrate_finish(m)                 the VM stopped: sends its state
 *       and what it wrote last (its other processes and the VMs its guest
 *       made go whole now: only the first process's memory goes ahead),
 *       then waits for the receiver: 0 means the
 *       VM now runs there (destroy it here); an error, that it does not:
 *       the VM may run on here, nothing lost
 *   mvm_migrate_end(m, &stats)            frees, tracking off (always)
 * mvm_migrate_error(m) says why a step or the finish failed;
 * mvm_migrate_stats(m, &stats) how far it is: rounds, pages sent; dirty
 * is the size of the current round when it began (when it is small, the
 * stop will be short). The receiver: mvm_vm_receive, as mvm_vm_restore
 * from the stream (the same grants rule), answering the sender once the
 * VM is ready to run.
 */
struct mvm_migration;
struct mvm_migrate_stats {
    uint64_t rounds, pages_sent, dirty;
};
int mvm_migrate_begin(mvm_vm *vm, int fd, unsigned flags, struct mvm_migration **out);
long mvm_migrate_step(struct mvm_migration *m, size_t max_pages);
int mvm_migrate_finish(struct mvm_migration *m);
const char *mvm_migrate_error(const struct mvm_migration *m);
void mvm_migrate_stats(const struct mvm_migration *m, struct mvm_migrate_stats *stats);
void mvm_migrate_end(struct mvm_migration *m, struct mvm_migrate_stats *stats);
int mvm_vm_receive(int fd, const struct mvm_config *cfg, const struct mvm_grant *grants, int ngrants,
                   mvm_vm **out, char *err, size_t errlen);
int mvm_vm_restore(const char *path, const struct mvm_config *cfg, const struct mvm_grant *grants, int ngrants,
                    mvm_vm **out, char *err, size_t errlen);
/*
 * Clones: many VMs from one snapshot, sharing the pages none of them
 * changed. mvm_vm_restore the snapshot once as the template, with
 * MVM_CLONE_TEMPLATE in cfg's flags (and do not run it); each
 * mvm_vm_clone of the same file is then a VM whose pages are the
 * template's, copied only when written (MAP_SHARED memory is each clone's
 * own copy). A clone takes the template's page tables whole, so making
 * one costs about the same whatever the VM's size: MVM_CLONE_TEMPLATE has
 * the template's restore read all of its memory and make each table ready
 * to lend. (Without it a clone still works: the first one reads what a
 * lazy restore left, and readies the tables.) A VM of several
 * processes is cloned whole, each process from its namesake in the
 * template, and one with VMs of its own with each of them, from its
 * namesake in the template's tree. Clones
 * count against the template's memory limit (give it room for all of
 * them) and must be destroyed before it. What
 * the monitor provides is fresh in each clone (getrandom, new file
 * descriptions); what the program drew before the snapshot (AT_RANDOM,
 * seeds it keeps in memory) is the same in all: docs/snapshot-format.md.
 */
int mvm_vm_clone(const char *path, mvm_vm *tmpl, const struct mvm_grant *grants, int ngrants,
                 mvm_vm **out, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif
