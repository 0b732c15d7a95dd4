/*
 * tree.c — the VMs a guest made (hypercalls, docs/hypercalls.md) in a
 * snapshot of the VM at the top: a monitor's VM is saved with its whole
 * subtree, at any depth and in any nesting mode.
 *
 * Whatever the mode, every VM of the tree is a native VM of this process
 * (lowered: made by the guest that runs it; trusted: by the monitor at
 * the top, for a guest monitor further down; emulated: inside the guest,
 * so only guest memory). A VM runs inside its creator's hypercall, and a
 * run cut short by a VM above makes that hypercall again (vm/hcall.c), so
 * when the top is between runs every VM of the tree is too: each is saved
 * as the top is (user/save.h), after a CHILD section naming its creator,
 * its slot in the creator's table of handles and the VM it is charged to.
 *
 * The order: the top first, then each VM after its creator and after the
 * VM it is charged to (a sibling, in trusted nesting), so that a restore
 * makes each VM with everything it needs already there.
 */
#include "snap/snap_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/host.h"
#include "host/thread.h"
#include "user/fs.h"
#include "user/save.h"

/* CHILD flags. */
#define CHILD_ENDED 1       /* its program has ended: nothing more follows */
#define CHILD_AT_SYSCALL 2  /* stopped at a system call its owner serves */

struct tree {
    mvm_vm **v;
    uint32_t *owner, *slot;
    int n, cap;
};

static int tree_index(const struct tree *t, const mvm_vm *vm)
{
    for (int i = 0; i < t->n; i++)
        if (t->v[i] == vm)
            return i;
    return -1;
}

static int tree_add(struct tree *t, mvm_vm *vm, int owner, int slot)
{
    if (t->n == t->cap) {
        int cap = t->cap ? 2 * t->cap : 16;
        mvm_vm **v = realloc(t->v, (size_t)cap * sizeof *v);
        if (v)
            t->v = v;
        uint32_t *o = realloc(t->owner, (size_t)cap * sizeof *o);
        if (o)
            t->owner = o;
        uint32_t *s = realloc(t->slot, (size_t)cap * sizeof *s);
        if (s)
            t->slot = s;
        if (!v || !o || !s)
            return -MVM_ENOMEM;
        t->cap = cap;
    }
    t->v[t->n] = vm;
    t->owner[t->n] = (uint32_t)owner;
    t->slot[t->n] = (uint32_t)slot;
    t->n++;
    return 0;
}

static void tree_free(struct tree *t)
{
    free(t->v);
    free(t->owner);
    free(t->slot);
}

/* Every VM of top's tree in t, in the order above. */
static int tree_list(mvm_vm *top, struct tree *t)
{
    int r = tree_add(t, top, 0, 0);
    for (int i = 0; i < t->n && r == 0; i++) {
        mvm_vm *owner = t->v[i];
        for (bool more = true; more && r == 0;) {
            more = false;
            for (int s = 0; s < MVM_HC_MAX_CHILDREN && r == 0; s++) {
                mvm_vm *c = owner->children[s];
                if (c && tree_index(t, c) < 0 && tree_index(t, c->parent) >= 0) {
                    r = tree_add(t, c, i, s);
                    more = true;
                }
            }
        }
        for (int s = 0; s < MVM_HC_MAX_CHILDREN && r == 0; s++)
            if (owner->children[s] && tree_index(t, owner->children[s]) < 0)
                r = -MVM_EINVAL;   /* charged to a VM outside the tree: cannot be */
    }
    return r;
}

static bool ended(mvm_vm *vm)
{
    return vm->p->exited || vm->p->ended;
}

/* Why a VM a guest made (not the top) cannot be saved now, or 0. */
static int check_child(mvm_vm *top, mvm_vm *vm)
{
    if (vm->is_board) {
        snprintf(top->error, sizeof top->error, "a VM its guest made is a board, which a snapshot cannot hold yet");
        return -MVM_ENOTSUP;
    }
    if (vm->remote) {
        snprintf(top->error, sizeof top->error, "a VM its guest made is run by the monitor above");
        return -MVM_ENOTSUP;
    }
    if (vm->backing) {
        snprintf(top->error, sizeof top->error, "a VM its guest made has memory that is not unrolled (--no-unroll), "
                 "which a snapshot cannot hold yet");
        return -MVM_ENOTSUP;
    }
    if (!vm->loaded) {
        snprintf(top->error, sizeof top->error, "a VM its guest made has no program yet");
        return -MVM_EBUSY;
    }
    if (ended(vm))
        return 0;
    struct proc *p = vm->p;
    host_mutex_lock(p->mu);
    bool running = p->running;
    host_mutex_unlock(p->mu);
    if (running) {
        snprintf(top->error, sizeof top->error, "a VM its guest made is running");
        return -MVM_EBUSY;
    }
    if (proc_tree_count(p) > 1 && vm_tree_quiesce(vm) != 0) {
        snprintf(top->error, sizeof top->error, "a process of a VM its guest made did not stop");
        return -MVM_EBUSY;
    }
    return proc_check_saveable(p, top->error, sizeof top->error);
}

/* Whether a process after the first of vm has made VMs (not saved yet). */
static bool forks_made_vms(mvm_vm *vm)
{
    struct proc **list;
    int n = proc_tree_list_all(vm->p, &list);
    if (n < 0)
        return true;
    bool made = false;
    for (int i = 1; i < n && !made; i++) {
        mvm_vm *f = list[i]->thread_ctx;
        for (int s = 0; f && s < MVM_HC_MAX_CHILDREN && !made; s++)
            made = f->children[s] != NULL;
    }
    free(list);
    return made;
}

int snap_tree_check(mvm_vm *top)
{
    struct tree t = { 0 };
    int r = tree_list(top, &t);
    if (r == -MVM_ENOMEM)
        snprintf(top->error, sizeof top->error, "out of memory");
    else if (r != 0)
        snprintf(top->error, sizeof top->error, "its VMs are charged to VMs outside it");
    for (int i = 0; i < t.n && r == 0; i++) {
        if ((i == 0 || !ended(t.v[i])) && forks_made_vms(t.v[i])) {
            snprintf(top->error, sizeof top->error, "a process it forked has made VMs, which a snapshot cannot hold yet");
            r = -MVM_ENOTSUP;
        } else if (i > 0) {
            r = check_child(top, t.v[i]);
        }
    }
    tree_free(&t);
    return r;
}

/* CHILD: u32 creator, u32 slot, u32 charged to (indices in file order, the
 * top 0), u32 hypercall flags, u8 CHILD_*, then the settings (as the VM
 * section), then for an ended one how it ended. */
static int write_child(const struct tree *t, int i, struct snap_writer *w)
{
    mvm_vm *vm = t->v[i];
    struct proc *p = vm->p;
    struct snap_buf b = { 0 };
    bool end = ended(vm);
    snap_put_u32(&b, t->owner[i]);
    snap_put_u32(&b, t->slot[i]);
    snap_put_u32(&b, (uint32_t)tree_index(t, vm->parent));
    snap_put_u32(&b, vm->hc_flags);
    snap_put_u8(&b, (uint8_t)((end ? CHILD_ENDED : 0) | (vm->at_syscall ? CHILD_AT_SYSCALL : 0)));
    snap_put_settings(&b, vm);
    snap_put_u64(&b, atomic_load(&vm->below));
    if (end) {
        snap_put_u32(&b, (uint32_t)p->exit_code);
        snap_put_u32(&b, (uint32_t)p->killed_by);
        snap_put_u32(&b, (uint32_t)p->fault_reason);
        snap_put_u64(&b, p->fault_cause);
        snap_put_u64(&b, p->fault_addr);
        snap_put_u64(&b, p->fault_pc);
        snap_put_u64(&b, p->main->hart->pc);
        snap_put_u64(&b, proc_tree_instret(p));
    }
    int r = snap_errno(snap_write_buf(w, SAVE_CHILD, &b));
    snap_buf_free(&b);
    return r;
}

int snap_tree_write(mvm_vm *top, struct snap_writer *w)
{
    struct tree t = { 0 };
    int r = tree_list(top, &t);
    uint64_t below = atomic_load(&top->below);
    if (r == 0 && (t.n > 1 || below)) {
        /* TREE: u64 what the VMs its guest made ran (since its start). */
        uint8_t b[8];
        st64(b, below);
        if ((r = snap_errno(snap_write_section(w, SAVE_TREE, b, sizeof b))) != 0 && r != -MVM_ENOMEM)
            snprintf(top->error, sizeof top->error, "%s", snap_writer_error(w));
    }
    for (int i = 1; i < t.n && r == 0; i++) {
        if ((r = write_child(&t, i, w)) != 0) {
            if (r != -MVM_ENOMEM)
                snprintf(top->error, sizeof top->error, "%s", snap_writer_error(w));
        } else if (!ended(t.v[i])) {
            r = proc_save(t.v[i]->p, w, SAVE_CHILD_VM, top->error, sizeof top->error);
        }
    }
    if (r == -MVM_ENOMEM)
        snprintf(top->error, sizeof top->error, "out of memory");
    tree_free(&t);
    return r;
}

/* ------------------------------------------------------------ restoring */

struct snap_tree {
    struct tree t;
    struct tree tmpl;       /* a clone's template's, in the same order (or empty) */
};

void snap_tree_free(struct snap_tree *st)
{
    if (st) {
        tree_free(&st->t);
        tree_free(&st->tmpl);
        free(st);
    }
}

int snap_tree_begin(struct snap_tree **out, mvm_vm *top, mvm_vm *tmpl, struct snap_cur *c, char *why, size_t whylen)
{
    uint64_t below = snap_get_u64(c);
    if (*out || !snap_cur_end(c)) {
        snprintf(why, whylen, "the tree section is malformed or repeated");
        return -MVM_EBADMSG;
    }
    struct snap_tree *st = calloc(1, sizeof *st);
    /* The template's tree, listed as a save lists it: its restore made it
     * from these very sections and it never ran, so its k-th VM is the
     * one the k-th CHILD section made there. */
    int r = !st || tree_add(&st->t, top, 0, 0) != 0 ? -MVM_ENOMEM : tmpl ? tree_list(tmpl, &st->tmpl) : 0;
    if (r != 0) {
        snap_tree_free(st);
        snprintf(why, whylen, r == -MVM_ENOMEM ? "out of memory" : "the template's VMs are not the snapshot's");
        return r == -MVM_ENOMEM ? r : -MVM_EINVAL;
    }
    atomic_store(&top->below, below);
    *out = st;
    return 0;
}

int snap_tree_child(struct snap_tree *st, struct snap_cur *c, mvm_vm **out, mvm_vm **tmpl, bool *done, char *why,
                    size_t whylen)
{
    if (!st) {
        snprintf(why, whylen, "a VM its guest made comes before the tree section");
        return -MVM_EBADMSG;
    }
    struct tree *t = &st->t;
    uint32_t owner = snap_get_u32(c), slot = snap_get_u32(c), parent = snap_get_u32(c);
    uint32_t hc_flags = snap_get_u32(c);
    uint8_t fl = snap_get_u8(c);
    struct mvm_config cfg;
    int r = snap_get_settings(c, &cfg);
    uint64_t below = snap_get_u64(c);
    if (r != 0 || c->bad || owner >= (uint32_t)t->n || parent >= (uint32_t)t->n || slot >= MVM_HC_MAX_CHILDREN ||
        t->v[owner]->children[slot] || (hc_flags & ~(unsigned)(MVM_HC_CREATE_EXIT_SYSCALLS | MVM_HC_CREATE_EXIT_HYPERCALLS)) ||
        (fl & ~(CHILD_ENDED | CHILD_AT_SYSCALL)) || ((fl & CHILD_AT_SYSCALL) && !(hc_flags & MVM_HC_CREATE_EXIT_SYSCALLS))) {
        snprintf(why, whylen, "the section of a VM its guest made is malformed");
        return -MVM_EBADMSG;
    }
    /* A clone's: the template's VM at the same place, made from this
     * section (so ended as it says). */
    int k = t->n;
    mvm_vm *tv = st->tmpl.n ? (k < st->tmpl.n ? st->tmpl.v[k] : NULL) : NULL;
    if (st->tmpl.n && (!tv || st->tmpl.owner[k] != owner || st->tmpl.slot[k] != slot ||
                       tree_index(&st->tmpl, tv->parent) != (int)parent || ended(tv) != ((fl & CHILD_ENDED) != 0))) {
        snprintf(why, whylen, "the template's VMs are not the snapshot's");
        return -MVM_EINVAL;
    }
    *tmpl = tv;
    mvm_vm *vm;
    if ((r = vm_create_native(&cfg, t->v[parent], NULL, hc_flags, &vm)) != 0) {
        snprintf(why, whylen, "cannot make a VM its guest made: %s", mvm_strerror(r));
        return r;
    }
    if ((r = tree_add(t, vm, (int)owner, (int)slot)) != 0) {
        mvm_vm_destroy(vm);
        snprintf(why, whylen, "out of memory");
        return r;
    }
    t->v[owner]->children[slot] = vm;   /* destroyed with its creator from now on */
    vm->loaded = true;
    vm->at_syscall = fl & CHILD_AT_SYSCALL;
    atomic_store(&vm->below, below);
    *done = fl & CHILD_ENDED;
    if (*done) {
        struct proc *p = vm->p;
        p->exit_code = (int)snap_get_u32(c);
        p->killed_by = (int)snap_get_u32(c);
        p->fault_reason = (int)snap_get_u32(c);
        uint64_t cause = snap_get_u64(c);
        p->fault_cause = (uint32_t)cause;
        p->fault_addr = snap_get_u64(c);
        p->fault_pc = snap_get_u64(c);
        p->main->hart->pc = snap_get_u64(c);
        p->reaped_instret = snap_get_u64(c);
        p->exited = p->main->exited = true;
        p->nlive = 0;
        if (p->exit_code < 0 || p->exit_code > 255 || p->killed_by < 0 || p->killed_by > 64 ||
            cause > UINT32_MAX ||
            (p->fault_reason != 0 && p->fault_reason != RV_EXIT_TRAP && p->fault_reason != RV_EXIT_NOMEM)) {
            snprintf(why, whylen, "the section of a VM its guest made is malformed");
            return -MVM_EBADMSG;
        }
    }
    if (!snap_cur_end(c)) {
        snprintf(why, whylen, "the section of a VM its guest made is malformed");
        return -MVM_EBADMSG;
    }
    *out = vm;
    return 0;
}
