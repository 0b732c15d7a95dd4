/*
 * vm.c — libmvm's VM object (include/mvm.h) over a process-mode guest:
 * creation, loading, memory and register access, and the run loop that
 * serves system calls and turns everything else into an mvm_exit.
 */
#include "mvm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "user/fs.h"
#include "user/lx.h"
#include "user/proc.h"

struct mvm_vm {
    struct proc *p;
    char error[256];
    bool loaded;
};

const char *mvm_version(void) { return MVM_VERSION; }

const char *mvm_strerror(int err)
{
    switch (-err) {
    case 0: return "success";
    case MVM_EPERM: return "operation not permitted";
    case MVM_ENOENT: return "no such file or directory";
    case MVM_ENOEXEC: return "not a loadable RISC-V program";
    case MVM_EBADF: return "bad handle";
    case MVM_ENOMEM: return "out of memory";
    case MVM_EFAULT: return "bad guest address";
    case MVM_EBUSY: return "the program has ended";
    case MVM_EINVAL: return "invalid argument";
    case 13: return "permission denied";
    case 20: return "not a directory";
    case 36: return "name too long";
    }
    return "error";
}

int mvm_vm_create(const struct mvm_config *cfg, mvm_vm **out)
{
    static const struct mvm_config dflt = MVM_CONFIG_INIT;
    if (!cfg)
        cfg = &dflt;
    if (!out || cfg->budget < 0)
        return -MVM_EINVAL;
    struct proc_options opt = {
        .mem_limit = cfg->mem_limit,
        .budget = cfg->budget,
        .trace_syscalls = (cfg->flags & MVM_TRACE_SYSCALLS) != 0,
        .trace_insns = (cfg->flags & MVM_TRACE_INSNS) != 0,
        .no_jit = (cfg->flags & MVM_NO_JIT) != 0,
    };
    mvm_vm *vm = calloc(1, sizeof *vm);
    if (!vm)
        return -MVM_ENOMEM;
    vm->p = proc_new(&opt);
    if (!vm->p) {
        free(vm);
        return -MVM_ENOMEM;
    }
    *out = vm;
    return 0;
}

void mvm_vm_destroy(mvm_vm *vm)
{
    if (!vm)
        return;
    proc_free(vm->p);
    free(vm);
}

int mvm_vm_add_dir(mvm_vm *vm, const char *host_dir, const char *guest_path, int read_only)
{
    if (!vm || !host_dir || !guest_path)
        return -MVM_EINVAL;
    return fs_add_dir(vm->p->fs, host_dir, guest_path, read_only != 0);
}

int mvm_vm_set_cwd(mvm_vm *vm, const char *guest_path)
{
    if (!vm || !guest_path)
        return -MVM_EINVAL;
    return fs_set_cwd(vm->p->fs, guest_path);
}

int mvm_vm_load_elf(mvm_vm *vm, const char *name, const void *image, size_t size,
                    int argc, char *const argv[], int envc, char *const envp[])
{
    if (!vm || !name || (!image && size) || argc < 0 || envc < 0 || (argc && !argv) || (envc && !envp))
        return -MVM_EINVAL;
    if (vm->loaded)
        return -MVM_EBUSY;
    vm->error[0] = 0;
    int r = proc_load(vm->p, name, image, size, argc, argv, envc, envp, vm->error, sizeof vm->error);
    if (r == -1)
        return -MVM_ENOEXEC;
    if (r != 0)
        return -MVM_ENOMEM;
    vm->loaded = true;
    return 0;
}

const char *mvm_vm_error(const mvm_vm *vm)
{
    return vm ? vm->error : "";
}

static int mem_prot(int prot)
{
    return (prot & MVM_PROT_READ ? MEM_R : 0) | (prot & MVM_PROT_WRITE ? MEM_W | MEM_R : 0) |
           (prot & MVM_PROT_EXEC ? MEM_X : 0);
}

int mvm_vm_map(mvm_vm *vm, uint64_t addr, uint64_t len, int prot)
{
    if (!vm || (addr | len) & (MEM_PAGE_SIZE - 1) || len == 0 || (prot & ~7))
        return -MVM_EINVAL;
    return mm_map_fixed(vm->p, addr, len, mem_prot(prot));
}

int mvm_vm_unmap(mvm_vm *vm, uint64_t addr, uint64_t len)
{
    if (!vm)
        return -MVM_EINVAL;
    long r = mm_munmap(vm->p, addr, len);
    return (int)r;
}

int mvm_vm_write(mvm_vm *vm, uint64_t addr, const void *src, size_t len)
{
    if (!vm || (!src && len))
        return -MVM_EINVAL;
    return mem_poke(vm->p->as, addr, src, len);
}

int mvm_vm_read(mvm_vm *vm, uint64_t addr, void *dst, size_t len)
{
    if (!vm || (!dst && len))
        return -MVM_EINVAL;
    /* The host may read what the guest cannot (e.g. execute-only pages). */
    uint8_t *d = dst;
    while (len > 0) {
        int err = 0;
        size_t off = (size_t)(addr & (MEM_PAGE_SIZE - 1)), n = MEM_PAGE_SIZE - off;
        if (n > len)
            n = len;
        const uint8_t *page = NULL;
        int prot = mem_prot_at(vm->p->as, addr);
        if (prot >= 0)
            page = mem_translate(vm->p->as, addr & MEM_PAGE_MASK, prot & MEM_X && !(prot & MEM_R) ? MEM_X : MEM_R, &err);
        if (!page)
            return -MVM_EFAULT;
        memcpy(d, page + off, n);
        d += n;
        addr += n;
        len -= n;
    }
    return 0;
}

int mvm_vcpu_get_regs(mvm_vm *vm, struct mvm_regs *r)
{
    if (!vm || !r)
        return -MVM_EINVAL;
    const struct rv_hart *h = vm->p->hart;
    r->pc = h->pc;
    memcpy(r->x, h->x, sizeof r->x);
    r->x[0] = 0;
    memcpy(r->f, h->f, sizeof r->f);
    r->fcsr = h->frm << 5 | h->fflags;
    return 0;
}

int mvm_vcpu_set_regs(mvm_vm *vm, const struct mvm_regs *r)
{
    if (!vm || !r || (r->pc & 1) || (r->fcsr >> 8))
        return -MVM_EINVAL;
    struct rv_hart *h = vm->p->hart;
    h->pc = r->pc;
    memcpy(h->x, r->x, sizeof r->x);
    h->x[0] = 0;
    memcpy(h->f, r->f, sizeof r->f);
    h->fflags = r->fcsr & 0x1f;
    h->frm = (r->fcsr >> 5) & 7;
    return 0;
}

int mvm_vm_set_budget(mvm_vm *vm, int64_t budget)
{
    if (!vm || budget < 0)
        return -MVM_EINVAL;
    rv_set_budget(vm->p->hart, budget ? budget : INT64_MAX);
    return 0;
}

int mvm_vm_run(mvm_vm *vm, struct mvm_exit *ex)
{
    if (!vm || !ex)
        return -MVM_EINVAL;
    struct proc *p = vm->p;
    struct rv_hart *h = p->hart;
    memset(ex, 0, sizeof *ex);
    if (p->exited)
        return -MVM_EBUSY;
    for (;;) {
        int r = rv_run(h);
        ex->pc = h->pc;
        switch (r) {
        case RV_EXIT_ECALL:
            p->syscalls++;
            sys_dispatch(p);
            if (!p->exited)
                continue;
            ex->status = p->exit_code;
            if (p->killed_by) {
                ex->reason = MVM_EXIT_SIGNALED;
                ex->signal = p->killed_by;
            } else {
                ex->reason = MVM_EXIT_EXITED;
            }
            return 0;
        case RV_EXIT_BUDGET:
            ex->reason = MVM_EXIT_BUDGET;
            ex->status = 124;
            return 0;
        case RV_EXIT_NOMEM:
            p->exited = true;
            ex->reason = MVM_EXIT_NOMEM;
            ex->signal = LX_SIGKILL;
            ex->status = 128 + LX_SIGKILL;
            return 0;
        default:
            p->exited = true;
            ex->reason = MVM_EXIT_FAULT;
            ex->cause = h->cause;
            ex->addr = h->tval;
            ex->what = rv_cause_name(h->cause);
            ex->signal = proc_signal_of(h->cause);
            ex->status = 128 + ex->signal;
            return 0;
        }
    }
}

void mvm_vm_stats(const mvm_vm *vm, struct mvm_stats *out)
{
    memset(out, 0, sizeof *out);
    if (!vm)
        return;
    const struct proc *p = vm->p;
    const struct rv_hart *h = p->hart;
    struct mem_stats ms;
    mem_pool_stats(p->pool, &ms);
    out->instructions = rv_instret(h);
    out->syscalls = p->syscalls;
    out->blocks_decoded = h->stat_blocks_translated;
    out->blocks_compiled = h->stat_jit_blocks;
    out->code_flushes = h->stat_cache_flushes;
    out->tlb_misses = h->stat_tlb_misses;
    out->resident_bytes = mem_space_resident(p->as) * MEM_PAGE_SIZE;
    out->peak_bytes = ms.pages_peak * MEM_PAGE_SIZE;
    out->zero_fills = ms.zero_fills;
    out->cow_copies = ms.cow_copies;
}
