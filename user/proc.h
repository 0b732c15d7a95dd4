/*
 * proc.h — a guest process in process mode: one hart, one address space,
 * a sandboxed view of files, and the Linux system call layer serving it.
 *
 * Guest address-space layout (all below 2^38, as under Sv39 Linux):
 *   ELF segments (ET_EXEC at their addresses, static-PIE at PROC_PIE_BASE)
 *   heap (brk) right after the highest segment, growing up
 *   mmap area below PROC_MMAP_TOP, allocated top-down
 *   stack: PROC_STACK_SIZE below PROC_STACK_TOP
 */
#ifndef MVM_PROC_H
#define MVM_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mem/mem.h"
#include "rv/rv.h"

#define PROC_STACK_TOP   0x3ffffff000ull
#define PROC_STACK_SIZE  (8ull << 20)
#define PROC_MMAP_TOP    0x3f00000000ull
#define PROC_PIE_BASE    0x2aaaaab000ull

struct fs;        /* user/fs.h: the sandboxed file system and fd table */
struct mm_areas;  /* user/mm.c: the list of mapped ranges */

/* The identity a guest sees (getuid, AT_UID, ...): fixed, not the host's. */
#define PROC_UID 1000
#define PROC_GID 1000
#define PROC_PID 1000

struct proc_options {
    struct mem_pool *parent_pool;   /* charged too (a parent VM's), or NULL */
    struct mem_space *backing;      /* not unrolled: pages live there, or NULL */
    uint64_t mem_limit;      /* bytes of host memory for guest pages; 0 = default */
    int64_t budget;          /* instructions; <= 0 = unlimited */
    bool trace_syscalls;
    bool trace_insns;
    bool no_jit;             /* interpret every block */
    bool stream_meta;        /* metadata changes on standard streams allowed */
};

struct proc {
    struct mem_pool *pool;
    struct mem_space *as;
    struct rv_hart *hart;
    struct fs *fs;

    struct mm_areas *areas;

    uint64_t brk_start;      /* first heap byte */
    uint64_t brk_cur;        /* current break (guest-visible) */
    uint64_t brk_mapped;     /* page-aligned end of what is mapped for the heap */
    uint64_t mmap_hint;      /* next top-down search starts below this */

    uint64_t entry;          /* program entry point */
    uint64_t phdr_addr, phent, phnum, load_bias;

    uint64_t tid_address;    /* set_tid_address */
    uint64_t robust_list, robust_len;
    uint64_t sigactions[65][4];  /* rt_sigaction records: handler, flags, restorer, mask */
    uint64_t sigmask;

    bool exited;
    int exit_code;           /* status for the host process (guest code or 128+sig) */
    int killed_by;           /* the signal that ended it, or 0 if it exited */
    bool trace_syscalls;
    uint64_t syscalls;       /* statistics */
};

/*
 * Life of a process (user/proc.c). proc_new sets up an empty process;
 * proc_load loads the ELF image in file (path is what AT_EXECFN shows) and
 * builds the initial stack: 0, or -1 with a one-line reason in err (bad
 * program), or -2 (out of memory). vm/vm.c runs it (mvm_vm_run).
 */
struct proc *proc_new(const struct proc_options *opt);
void proc_free(struct proc *p);
int proc_load(struct proc *p, const char *path, const uint8_t *file, size_t size,
              int argc, char *const argv[], int envc, char *const envp[], char *err, size_t errlen);
/* The signal Linux would kill a process with for this exception. */
int proc_signal_of(uint32_t cause);

/*
 * Memory-management system calls (user/mm.c). Each returns the Linux
 * result: a value, or a negative LX_E* errno.
 */
struct mm_areas *mm_areas_new(void);
void mm_areas_free(struct mm_areas *m);
/* Maps [addr, addr+len) afresh (replacing what was there) with MEM_* prot. */
int mm_map_fixed(struct proc *p, uint64_t addr, uint64_t len, int prot);
/* Records [start, end) as in use (mapped by someone else, e.g. the loader). */
int mm_areas_note(struct proc *p, uint64_t start, uint64_t end);
long mm_brk(struct proc *p, uint64_t addr);
long mm_mmap(struct proc *p, uint64_t addr, uint64_t len, int prot, int flags, int fd, uint64_t off);
long mm_munmap(struct proc *p, uint64_t addr, uint64_t len);
long mm_mprotect(struct proc *p, uint64_t addr, uint64_t len, int prot);
long mm_mremap(struct proc *p, uint64_t old, uint64_t old_len, uint64_t new_len, int flags, uint64_t new_addr);
long mm_madvise(struct proc *p, uint64_t addr, uint64_t len, int advice);

/*
 * The system call layer (user/syscall.c): serves the ecall the hart stopped
 * at (a7 = number, a0..a5 = arguments), writes a0, advances pc. Sets
 * p->exited for exit/exit_group.
 */
void sys_dispatch(struct proc *p);
const char *sys_name(uint64_t nr);   /* "openat", or NULL if unknown */

#endif
