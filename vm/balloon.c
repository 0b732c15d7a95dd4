/*
 * balloon.c — a VM's balloon, the monitor's side (docs/balloon.md): the
 * target its owner (or a domain's policy, vm/domain.c) sets, and the pages
 * its guest gives into it and takes back (the MVM_BALLOON_* hypercalls).
 *
 * As a balloon driver in a virtual machine's kernel does, the guest takes
 * memory it can spare from its own allocator and hands its pages over;
 * the monitor drops them. Here they stay mapped and read as zero, so a
 * guest that touches one again by mistake only gets a fresh page, charged
 * as any other: a guest cannot take more with its balloon than its limit
 * gives it, and a lying one deceives only the statistics. What it holds
 * is the guest's word (GIVE adds, TAKE takes away); what reaches the host
 * is the pages dropped.
 *
 * The state is the VM's (its first process's, for the processes it
 * forks), in atomics: the owner's thread, a policy's and the guest's
 * harts may use it at once.
 */
#include "vm/vm_int.h"

#include "host/host.h"
#include "mem/mem.h"

/* Whose balloon a process's calls use: its VM's. */
static mvm_vm *owner_of(mvm_vm *vm)
{
    return vm->proc_root ? vm->proc_root : vm;
}

static bool range_ok(uint64_t addr, uint64_t len)
{
    return !(addr & (MEM_PAGE_SIZE - 1)) && !(len & (MEM_PAGE_SIZE - 1)) && len && addr + len > addr;
}

/* Every page of the range is mapped for writing: the program's own memory,
 * not its code or a read-only file image. */
static bool writable(struct mem_space *as, uint64_t addr, uint64_t len)
{
    for (uint64_t a = addr; a < addr + len; a += MEM_PAGE_SIZE) {
        int prot = mem_prot_at(as, a);
        if (prot < 0 || !(prot & MEM_W))
            return false;
    }
    return true;
}

long vm_balloon(mvm_vm *vm, unsigned op, uint64_t a, uint64_t b)
{
    if (vm->remote)
        return HC(VM_BALLOON, vm->handle, op, a, b, 0, 0);
    mvm_vm *o = owner_of(vm);
    switch (op) {
    case MVM_BALLOON_TARGET | MVM_BALLOON_BY_GUEST:
        atomic_store(&o->balloon_seen_ns, host_time_monotonic_ns());   /* a driver runs */
        /* fall through */
    case MVM_BALLOON_TARGET:
        return (long)(atomic_load(&o->balloon_target) & (uint64_t)INT64_MAX);
    case MVM_BALLOON_HELD:
        return (long)(atomic_load(&o->balloon_held) & (uint64_t)INT64_MAX);
    case MVM_BALLOON_SET:
        atomic_store(&o->balloon_target, a & MEM_PAGE_MASK & (uint64_t)INT64_MAX);
        return 0;
    case MVM_BALLOON_GIVE:
        if (!range_ok(a, b) || !writable(vm->p->as, a, b))
            return -MVM_EINVAL;
        mem_discard(vm->p->as, a, b);
        atomic_fetch_add(&o->balloon_held, b);
        return 0;
    case MVM_BALLOON_GIVE | MVM_BALLOON_BY_GUEST:
    case MVM_BALLOON_TAKE | MVM_BALLOON_BY_GUEST:
    case MVM_BALLOON_HELD | MVM_BALLOON_BY_GUEST:
        return vm_balloon(vm, op & ~(unsigned)MVM_BALLOON_BY_GUEST, a, b);
    case MVM_BALLOON_TAKE: {
        if (!range_ok(a, b))
            return -MVM_EINVAL;
        uint64_t held = atomic_load(&o->balloon_held);
        while (!atomic_compare_exchange_weak(&o->balloon_held, &held, held > b ? held - b : 0))
            ;
        return 0;
    }
    }
    return -MVM_EINVAL;
}

int mvm_vm_balloon_set(mvm_vm *vm, uint64_t target_bytes)
{
    if (vm && vm->is_board)
        return -MVM_EINVAL;   /* a board has no process */
    if (!vm)
        return -MVM_EINVAL;
    return (int)vm_balloon(vm, MVM_BALLOON_SET, target_bytes, 0);
}

int mvm_vm_balloon_get(mvm_vm *vm, uint64_t *target_bytes, uint64_t *held_bytes)
{
    if (vm && vm->is_board)
        return -MVM_EINVAL;   /* a board has no process */
    if (!vm)
        return -MVM_EINVAL;
    long t = vm_balloon(vm, MVM_BALLOON_TARGET, 0, 0), h = vm_balloon(vm, MVM_BALLOON_HELD, 0, 0);
    if (t < 0 || h < 0)
        return (int)(t < 0 ? t : h);
    if (target_bytes)
        *target_bytes = (uint64_t)t;
    if (held_bytes)
        *held_bytes = (uint64_t)h;
    return 0;
}
