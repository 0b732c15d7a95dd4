/*
 * vm_int.h — what the files of vm/ share: the VM object with its two
 * backends (native: this process interprets it; parent: the monitor above
 * runs it, reached through hypercalls) and the hypercall server.
 */
#ifndef MVM_VM_INT_H
#define MVM_VM_INT_H

#include <stdbool.h>

#include "mvm.h"
#include "mvm_hypercall.h"
#include "user/proc.h"

struct mvm_vm {
    bool remote;            /* parent backend */
    bool is_board;          /* a board (system mode), not a process */
    struct vm_board *board; /* native board: vm/board.c */
    long handle;            /* remote: the handle the parent gave us */
    struct proc *p;         /* native: the process */
    unsigned hc_flags;      /* native: MVM_HC_CREATE_EXIT_* — whose ecalls come back */
    mvm_vm *backing;        /* native, not unrolled: whose memory holds our pages */
    mvm_vm *parent;         /* the VM charged for our pages and instructions (our
                               creator, or the VM it named): NULL for a root, and
                               in this process always native when set */
    int depth;              /* native: 1 for a root, parent's + 1 (<= MVM_MAX_DEPTH) */
    int64_t budget;         /* remote: the budget we gave it, less what its runs cost */
    bool run_syscall;       /* its next run first serves the system call it
                               stopped at (remote: MVM_HC_RUN_SYSCALL) */
    uint64_t exit_ok, exit_ok_gen;   /* native: an exit record address known
                               writable, and its map's generation then */
    const void *exit_ok_as; /* (and the map: execve makes a new one) */
    uint64_t unbelow;       /* native: what its runner's slices ran, not yet
                               in its ancestors' `below` (vm.c, below_flush) */
    mvm_vm *proc_root;      /* native, a forked process: the VM (its first process) */
    struct host_thread *proc_thread;   /* a forked process: the host thread running it */
    mvm_vm *children[MVM_HC_MAX_CHILDREN];   /* VMs this guest created by hypercall */
    mvm_vm *running_child;  /* (p->mu) native: the one its hc_run runs now */
    char error[256];
    /* A clone template: the sections of its snapshot other than pages,
     * read once by the first mvm_vm_clone (snap/snap.c), and whose. */
    uint8_t *tmpl_sections;
    size_t tmpl_len;
    char *tmpl_path;
    /* MVM_CLONE_TEMPLATE: spaces that hold every page table of the tree's
     * spaces (mem_share_all), so that each is lent already (snap/snap.c). */
    struct mem_space **tmpl_hold;
    int ntmpl_hold;
    _Atomic bool parked;    /* a forked process: its host thread waits for a run */
    _Atomic uint64_t below; /* native: what the VMs its guest made ran (vm_charge) */
    bool loaded, ended;
    bool at_syscall;        /* native: stopped at a system call its owner serves */
    /* Memory domain and balloon (vm/domain.c, vm/balloon.c); the balloon
     * of a VM's forked processes is its first process's (proc_root). */
    mvm_domain *domain;     /* native, a root VM: the domain it joined */
    mvm_vm *domain_next;    /* (the domain tree's lock) its list */
    _Atomic uint64_t balloon_target;   /* bytes its owner asks the balloon to hold */
    _Atomic uint64_t balloon_held;     /* bytes the guest says it put there */
    _Atomic uint64_t balloon_seen_ns;  /* when its guest last asked for the target */
    /* A root VM: the program files its tree loaded (vm/image.c). */
    struct vm_images *_Atomic images;
};

/* The parent backend's hypercall, with pointers and numbers as longs. */
#define HC(n, a, b, c, d, e, f) parent_hc(MVM_HC_##n, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), (long)(f))
#define PTR(p) ((long)(uintptr_t)(p))

/* Internal forms of the public calls (vm/vm.c). */
/* A VM this process interprets (backing: not unrolled, whose space). */
int vm_create_native(const struct mvm_config *cfg, mvm_vm *parent,
                     struct mem_space *backing, unsigned hc_flags, mvm_vm **out);
/* The pool of a memory domain (NULL for NULL). */
struct mem_pool *vm_domain_pool(const mvm_domain *d);
/* The same, its pages in pool (a clone's template's, which must outlive
 * it), or in a pool of its own if pool is NULL. */
int vm_create_native_in(const struct mvm_config *cfg, mvm_vm *parent, struct mem_space *backing,
                        struct mem_pool *pool, unsigned hc_flags, mvm_vm **out);
int vm_create_child(mvm_vm *parent, mvm_vm *backing, const struct mvm_config *cfg, unsigned hc_flags, mvm_vm **out);
int vm_add_dir_from(mvm_vm *vm, mvm_vm *src, const char *path, const char *guest_path, int read_only);
int vm_redirect_from(mvm_vm *vm, mvm_vm *src, int fd, const char *path, int how);
int vm_allow_net_from(mvm_vm *vm, mvm_vm *src, int direction, const char *addr);
int vm_run_raw(mvm_vm *vm, struct mvm_exit *ex);
/* The VM (between runs) with processes of its own: each is stopped and
 * parked, its threads at instruction boundaries, for a snapshot. 0, or
 * -MVM_EBUSY if one did not park within 10 s. */
int vm_tree_quiesce(mvm_vm *vm);
/* Reads and writes of a guest's memory as its own loads and stores would
 * do them (permissions checked): how a server touches its caller. */
int vm_guest_read(mvm_vm *vm, uint64_t addr, void *dst, size_t len);
/* Loads the program in the regular file fd (size bytes) into vm, a VM of
 * this monitor, from its tree's image of the file (vm/image.c), made
 * first if need be; as mvm_vm_load_elf_fd. vm_images_free drops a root's
 * images, once the VMs of its tree are gone. */
int vm_image_load(mvm_vm *vm, const char *name, int fd, uint64_t size, int argc, char *const argv[], int envc,
                  char *const envp[]);
void vm_images_free(mvm_vm *vm);
/* VM_LOAD_PATH's side: the program file path names in src's view. */
int vm_load_path_from(mvm_vm *vm, mvm_vm *src, const char *path, int argc, char *const argv[], int envc,
                      char *const envp[]);
/* mvm_vm_load_elf from any source (user/elf.h), for a VM of this monitor
 * (-MVM_EINVAL for one the monitor above runs). */
int vm_load_elf_src(mvm_vm *vm, const char *name, const struct elf_src *src, int argc, char *const argv[],
                    int envc, char *const envp[]);
int vm_guest_write(mvm_vm *vm, uint64_t addr, const void *src, size_t len);
int vm_syscall(mvm_vm *vm);
/* Whether vm's run is to end for an mvm_vm_interrupt: its own, or (a VM
 * a guest made) one of the VMs above it here. */
bool vm_interrupted(const mvm_vm *vm);
/* hc_run's side: caller runs child now (NULL: no longer), for
 * mvm_vm_interrupt to reach down. */
void vm_running_child(mvm_vm *caller, mvm_vm *child);
/* mvm_vm_stats with the error (a remote VM's handle may be gone). */
int vm_stats(const mvm_vm *vm, struct mvm_stats *out);

/* Serves the hypercall vm stopped at (a7 = MVM_HC_BASE + n), on whatever
 * backend this process has; writes a0 and steps over the ecall. */
void vm_hcall_serve(mvm_vm *vm);
/* Instructions vm may still run: its budget, and in this process no more
 * than any ancestor's. */
int64_t vm_budget_left(const mvm_vm *vm);
/* Charges what from ran to every VM above it in this process. */
void vm_charge(mvm_vm *from, uint64_t instructions);
/* A balloon operation (MVM_BALLOON_*) on vm, on either backend: a value
 * >= 0 or a negative error. */
long vm_balloon(mvm_vm *vm, unsigned op, uint64_t a, uint64_t b);
/* Domain membership (vm/domain.c): vm joins d (its balloon policy's),
 * and leaves it before it is freed. */
void vm_domain_join(mvm_domain *d, mvm_vm *vm);
void vm_domain_leave(mvm_vm *vm);
/* Destroys the VMs vm created (and theirs). */
void vm_children_destroy(mvm_vm *vm);

/* The parent backend (vm/parent.c): ecalls to the monitor above. */
bool parent_present(void);
long parent_hc(unsigned n, long a0, long a1, long a2, long a3, long a4, long a5);

/* Little-endian (de)serialisation of the hypercall structures. */
void hc_put_exit(uint64_t out[MVM_HC_EXIT_SIZE / 8], const struct mvm_exit *ex);
void hc_get_exit(const uint64_t in[MVM_HC_EXIT_SIZE / 8], struct mvm_exit *ex);
void hc_put_regs(uint8_t out[MVM_HC_REGS_SIZE], const struct mvm_regs *r);
void hc_get_regs(const uint8_t in[MVM_HC_REGS_SIZE], struct mvm_regs *r);
void hc_put_stats(uint8_t out[MVM_HC_STATS_SIZE], const struct mvm_stats *st);
void hc_get_stats(const uint8_t in[MVM_HC_STATS_SIZE], struct mvm_stats *st);
void hc_put_config(uint8_t out[MVM_HC_CONFIG_SIZE], const struct mvm_config *c);
void hc_get_config(const uint8_t in[MVM_HC_CONFIG_SIZE], struct mvm_config *c);
void hc_put_board(uint8_t out[MVM_HC_BOARD_SIZE], const struct mvm_board_config *c);
void hc_get_board(const uint8_t in[MVM_HC_BOARD_SIZE], struct mvm_board_config *c);

/* A board VM's own part (vm/board.c): the board, and what it was made
 * of, kept for resets and snapshots. */
struct vm_board {
    struct board *b;
    uint8_t *image[2];      /* MVM_BOARD_FIRMWARE, MVM_BOARD_KERNEL: copies */
    size_t size[2];
    uint64_t entry[2];
    char *bootargs;
    unsigned ndisks;
    char *disk_path[MVM_BOARD_DISKS];   /* as given (snapshots record them) */
    unsigned disk_flags[MVM_BOARD_DISKS];
    bool rng, started, ended;
    _Atomic int interrupt;  /* mvm_vm_interrupt: the run ends (or the next one); an int: RV64 has no 1-byte atomic exchange */
};

/* Boards as VMs (vm/board.c). A board VM (is_board) has no process: p
 * is NULL, and board holds the board (native) or nothing (remote). */
/* Whether cfg is a board configuration mvm accepts (its defaults filled
 * in): 0 or -MVM_EINVAL. */
int vm_board_check(struct mvm_board_config *cfg);
/* A board for parent's guest (parent: the VM charged for its pages and
 * instructions, NULL for a root), its console on host fds in and out
 * (-1: none). Inside mvm it is the monitor above's, told parent_h. */
int vm_board_create_child(const struct mvm_board_config *cfg, mvm_vm *parent, int console_in, int console_out,
                          mvm_vm **out);
int vm_board_load(mvm_vm *vm, int what, const void *data, size_t size);
/* A disk on the file path names in src's view (src NULL: this process's
 * own files). */
int vm_board_add_disk_from(mvm_vm *vm, mvm_vm *src, const char *path, unsigned flags);
int vm_board_run(mvm_vm *vm, struct mvm_exit *ex);
/* The devices made once the disks are known, as the first run makes
 * them: the entropy device after the disks, empty transports in the
 * other virtio slots. false if out of memory. */
bool vm_board_add_last_devices(mvm_vm *vm);
int vm_board_interrupt(mvm_vm *vm);
/* Snapshots of boards (snap/board.c): vm_board_snapshot as
 * mvm_vm_snapshot; vm_board_restore reads the rest of a snapshot whose
 * first section (BOARD_SEC_CONFIG) is at c. */
int vm_board_snapshot(mvm_vm *vm, const char *path, unsigned flags);
struct snap_reader;
struct snap_cur;
int vm_board_restore(struct snap_reader *rd, struct snap_cur *c, mvm_vm **out, char *err, size_t errlen);
void vm_board_stats(const mvm_vm *vm, struct mvm_stats *out);
void vm_board_free(mvm_vm *vm);

#endif
