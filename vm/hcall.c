/*
 * hcall.c — the hypercall server: what a monitor does when a guest asks it
 * for VMs of its own (include/mvm_hypercall.h, docs/hypercalls.md).
 *
 * The same code serves at every depth: it reads the caller's registers and
 * memory, and acts on the caller's children, only through the libmvm calls,
 * so in the real environment it works on native VMs and inside a nested
 * monitor that serves its guest's hypercalls itself (an emulating one, or
 * one asking for EXIT_HYPERCALLS) it forwards to the monitor above,
 * pointers and handles translated. (mvm's trusted mode does not forward:
 * its VMs' hypercalls come straight to the real environment; see
 * docs/design.md, "Nesting", for why.)
 *
 * Isolation: a caller names only VMs it created (its own handle table),
 * every pointer is checked by the read or write into its own memory, and
 * sizes are bounded before anything is allocated.
 */
#include "vm/vm_int.h"

#include <stdlib.h>
#include <string.h>

#include "host/fs.h"
#include "host/host.h"
#include "user/elf.h"
#include "user/fs.h"
#include "user/lx.h"

#define PATH_MAX_HC 4096
#define CHUNK 65536

/* Destroys child slot i of vm, after any sibling that depends on it: one
 * whose pages live in it (not unrolled), or that it is charged to. */
static void destroy_child(mvm_vm *vm, int i)
{
    mvm_vm *target = vm->children[i];
    vm->children[i] = NULL;
    for (int j = 0; j < MVM_HC_MAX_CHILDREN; j++)
        if (vm->children[j] && (vm->children[j]->backing == target || vm->children[j]->parent == target))
            destroy_child(vm, j);
    mvm_vm_destroy(target);
}

void vm_children_destroy(mvm_vm *vm)
{
    for (int i = 0; i < MVM_HC_MAX_CHILDREN; i++)
        if (vm->children[i])
            destroy_child(vm, i);
}

static mvm_vm *child_of(mvm_vm *caller, uint64_t h)
{
    return h >= 1 && h <= MVM_HC_MAX_CHILDREN ? caller->children[h - 1] : NULL;
}

/* A NUL-terminated string of the caller's; 0 or a negative errno. */
static int read_str(mvm_vm *caller, uint64_t addr, char *buf, size_t size)
{
    size_t n = 0;
    while (n < size) {
        size_t chunk = size - n < 256 ? size - n : 256;
        size_t in_page = MEM_PAGE_SIZE - ((addr + n) & (MEM_PAGE_SIZE - 1));
        if (chunk > in_page)
            chunk = in_page;   /* never read past a page the string may end in */
        int r = vm_guest_read(caller, addr + n, buf + n, chunk);
        if (r != 0)
            return r;
        const char *z = memchr(buf + n, 0, chunk);
        if (z)
            return 0;
        n += chunk;
    }
    return -LX_ENAMETOOLONG;
}

/* Copies len bytes between a child and its caller through a bounce
 * buffer; the caller's side is checked as its own access would be, the
 * child's only if asked (the owner may write a child's read-only code). */
static int copy_between(mvm_vm *from, uint64_t faddr, mvm_vm *to, uint64_t taddr, uint64_t len,
                        bool from_checked, bool to_checked)
{
    uint8_t *buf = malloc(len < CHUNK ? (size_t)len + 1 : CHUNK);
    if (!buf)
        return -MVM_ENOMEM;
    int r = 0;
    for (uint64_t done = 0; done < len && r == 0;) {
        size_t n = len - done < CHUNK ? (size_t)(len - done) : CHUNK;
        r = from_checked ? vm_guest_read(from, faddr + done, buf, n) : mvm_vm_read(from, faddr + done, buf, n);
        if (r == 0)
            r = to_checked ? vm_guest_write(to, taddr + done, buf, n) : mvm_vm_write(to, taddr + done, buf, n);
        done += n;
    }
    free(buf);
    return r;
}

/* A free slot of the caller's handle table, or -EMFILE. */
static int free_slot(const mvm_vm *caller)
{
    for (int i = 0; i < MVM_HC_MAX_CHILDREN; i++)
        if (!caller->children[i])
            return i;
    return -24;   /* EMFILE: the handle table is full */
}

static long hc_create(mvm_vm *caller, uint64_t cfg_addr, uint64_t flags, uint64_t backing_h, uint64_t parent_h)
{
    uint8_t wire[MVM_HC_CONFIG_SIZE];
    struct mvm_config cfg;
    if (flags & ~(uint64_t)(MVM_HC_CREATE_EXIT_SYSCALLS | MVM_HC_CREATE_EXIT_HYPERCALLS | MVM_HC_CREATE_NO_UNROLL))
        return -MVM_EINVAL;
    mvm_vm *backing = backing_h == 0 ? caller : child_of(caller, backing_h);
    mvm_vm *parent = parent_h == 0 ? caller : child_of(caller, parent_h);
    if (!backing || !parent || backing->is_board || parent->is_board)
        return -MVM_EBADF;
    int r = vm_guest_read(caller, cfg_addr, wire, sizeof wire);
    if (r != 0)
        return r;
    hc_get_config(wire, &cfg);
    if (cfg.budget < 0 || (cfg.flags & ~(unsigned)(MVM_NO_JIT | MVM_NO_UNROLL | MVM_STREAM_META)))
        return -MVM_EINVAL;   /* a guest may not make the monitor trace */
    /* Composition never widens: stream metadata only if the parent may
     * (a remote parent is checked by the monitor that holds it). */
    if ((cfg.flags & MVM_STREAM_META) && !parent->remote && !fs_stream_meta(parent->p->fs))
        return -MVM_EPERM;
    int slot = free_slot(caller);
    if (slot < 0)
        return slot;
    mvm_vm *child;
    r = vm_create_child(parent, backing, &cfg, (unsigned)flags, &child);
    if (r != 0)
        return r;
    caller->children[slot] = child;
    return slot + 1;
}

/*
 * A program image in the caller's memory, as hc_load reads it: its bytes
 * are read as the caller's own loads would read them, and where the image
 * lies in whole pages aligned as the segment's (an image read into a
 * page-aligned buffer, as mvm_vm_load_elf_fd's is), those pages are shared
 * with the child copy-on-write rather than copied: loading a program the
 * caller has in memory costs neither a copy nor pages of the child's own.
 */
struct guest_image {
    mvm_vm *caller;
    uint64_t addr;
};

static int read_guest(const struct elf_src *src, uint64_t off, void *buf, size_t len, char *why, size_t whylen)
{
    const struct guest_image *g = src->ctx;
    (void)why, (void)whylen;
    return vm_guest_read(g->caller, g->addr + off, buf, len) == 0 ? 0 : MEM_EFAULT;
}

/* Whether every page of [va, va+len) may be read. */
static bool readable(struct mem_space *as, uint64_t va, uint64_t len)
{
    if (len == 0)
        return true;   /* nothing is read */
    if (va + len < va)
        return false;
    for (uint64_t p = va & ~(uint64_t)(MEM_PAGE_SIZE - 1); p < va + len; p += MEM_PAGE_SIZE) {
        int prot = mem_prot_at(as, p);
        if (prot < 0 || !(prot & MEM_R))
            return false;
    }
    return true;
}

/* Shares [sva, sva+len) of the caller's memory at va (both page-aligned)
 * with the permissions va has: 0, MEM_EFAULT (not readable: nothing is
 * shared), MEM_EINVAL (the spaces cannot share: copy instead), MEM_ENOMEM. */
static int share_guest(struct mem_space *as, uint64_t va, struct mem_space *from, uint64_t sva, uint64_t len)
{
    if (!readable(from, sva, len))
        return MEM_EFAULT;
    int prot = mem_prot_at(as, va);   /* the segment's: its whole pages share no other's */
    int r = mem_share(as, va, from, sva, len);
    if (r == 0)
        r = mem_protect(as, va, len, prot);
    /* A thread of the caller may have unmapped part of it meanwhile. */
    return r == 0 && !mem_is_mapped(as, va, len) ? MEM_EFAULT : r;
}

static int place_guest(const struct elf_src *src, struct mem_space *as, uint64_t va, uint64_t off, uint64_t len,
                       char *why, size_t whylen)
{
    const struct guest_image *g = src->ctx;
    uint64_t sva = g->addr + off, mask = MEM_PAGE_SIZE - 1;
    if (g->caller->remote || ((sva ^ va) & mask))
        return elf_place_copy(src, as, va, off, len, why, whylen);
    uint64_t head = (MEM_PAGE_SIZE - (va & mask)) & mask;
    if (head > len)
        head = len;
    uint64_t whole = (len - head) & ~mask;
    int r = elf_place_copy(src, as, va, off, head, why, whylen);
    if (r == 0 && whole) {
        r = share_guest(as, va + head, g->caller->p->as, sva + head, whole);
        if (r == MEM_EINVAL)
            r = elf_place_copy(src, as, va + head, off + head, whole, why, whylen);
    }
    if (r == 0)
        r = elf_place_copy(src, as, va + head + whole, off + head + whole, len - head - whole, why, whylen);
    return r;
}

/* The args block of a load (argc | envc | strings) at addr in the
 * caller's memory: 0 with *buf (to free) and *v (to free: argc + envc
 * strings in *buf) set, or an error. */
static int read_args(mvm_vm *caller, uint64_t addr, uint64_t len, uint8_t **buf, char ***v, uint32_t *argc,
                     uint32_t *envc)
{
    *buf = NULL;
    *v = NULL;
    if (len < 8 || len > MVM_HC_ARGS_MAX)
        return -MVM_EINVAL;
    uint8_t *args = malloc((size_t)len + 1);
    if (!args)
        return -MVM_ENOMEM;
    *buf = args;
    int r = vm_guest_read(caller, addr, args, (size_t)len);
    if (r != 0)
        return r;
    args[len] = 0;
    *argc = ld32(args);
    *envc = ld32(args + 4);
    if (*argc > len || *envc > len || *argc + *envc > len)
        return -MVM_EINVAL;
    if (!(*v = calloc((size_t)*argc + *envc + 1, sizeof **v)))
        return -MVM_ENOMEM;
    char *s = (char *)args + 8, *end = (char *)args + len;
    for (uint32_t i = 0; i < *argc + *envc; i++) {
        if (s >= end)
            return -MVM_EINVAL;
        (*v)[i] = s;
        s += strlen(s) + 1;
    }
    return 0;
}

static long hc_load(mvm_vm *caller, mvm_vm *child, const uint64_t *a)
{
    char name[PATH_MAX_HC];
    uint64_t size = a[3];
    if (size > MVM_HC_IMAGE_MAX || a[5] < 8 || a[5] > MVM_HC_ARGS_MAX)
        return -MVM_EINVAL;
    int r = read_str(caller, a[1], name, sizeof name);
    if (r != 0)
        return r;
    uint8_t *args = NULL, *image = NULL;
    char **v = NULL;
    uint32_t argc, envc;
    /* The whole image must be readable, as the caller's own loads would
     * find it, whatever part of it the loader reads. */
    if (caller->remote) {
        image = host_page_alloc(size ? (size_t)size : 1);
        if (!image || (r = vm_guest_read(caller, a[2], image, (size_t)size)) != 0) {
            r = image ? r : -MVM_ENOMEM;
            goto out;
        }
    } else if (!readable(caller->p->as, a[2], size)) {
        r = -MVM_EFAULT;
        goto out;
    }
    if ((r = read_args(caller, a[4], a[5], &args, &v, &argc, &envc)) != 0)
        goto out;
    if (child->remote) {
        /* The monitor above loads it: from a copy here, page-aligned so
         * that it can share the copy's pages. */
        if (!image && !(image = host_page_alloc(size ? (size_t)size : 1))) {
            r = -MVM_ENOMEM;
            goto out;
        }
        if (!caller->remote && (r = vm_guest_read(caller, a[2], image, (size_t)size)) != 0)
            goto out;
        r = mvm_vm_load_elf(child, name, image, (size_t)size, (int)argc, v, (int)envc, v + argc);
    } else if (image) {
        struct elf_src src = elf_src_bytes(image, (size_t)size);
        r = vm_load_elf_src(child, name, &src, (int)argc, v, (int)envc, v + argc);
    } else {
        struct guest_image g = { caller, a[2] };
        struct elf_src src = { .size = size, .read = read_guest, .place = place_guest, .ctx = &g };
        r = vm_load_elf_src(child, name, &src, (int)argc, v, (int)envc, v + argc);
    }
out:
    if (image)
        host_page_free(image, size ? (size_t)size : 1);
    free(v);
    free(args);
    return r;
}

/* VM_LOAD_PATH: the file is opened through src's sandbox, with its rights. */
static long hc_load_path(mvm_vm *caller, mvm_vm *child, const uint64_t *a)
{
    char path[PATH_MAX_HC];
    mvm_vm *src = a[1] == 0 ? caller : child_of(caller, a[1]);
    if (!src || src == child || src->is_board)
        return -MVM_EBADF;
    if (a[4] < 8 || a[4] > MVM_HC_ARGS_MAX)
        return -MVM_EINVAL;
    uint8_t *args = NULL;
    char **v = NULL;
    uint32_t argc, envc;
    int r = read_str(caller, a[2], path, sizeof path);
    if (r == 0 && (r = read_args(caller, a[3], a[4], &args, &v, &argc, &envc)) == 0)
        r = vm_load_path_from(child, src, path, (int)argc, v, (int)envc, v + argc);
    free(v);
    free(args);
    return r;
}

/* Sets a budget for this run; 0 here means none left (never "unlimited"). */
static void set_run_budget(mvm_vm *vm, int64_t n)
{
    if (vm->remote)
        mvm_vm_set_budget(vm, n > 0 ? n : 1);   /* 1: its native ancestors have 0 */
    else
        atomic_store(&vm->p->budget, n > 0 ? n : 0);
}

/* A hypercall to be made again: the caller's registers stay as they are
 * (pc on its ecall), so that it makes the call again when it runs next. */
#define HC_AGAIN (-0x7fffffffL)

/* Whether the caller's own run is to end: out of instructions (its own,
 * or a VM's above it), or interrupted. */
static bool stopped_above(mvm_vm *caller)
{
    return !caller->remote && (vm_budget_left(caller) <= 0 || vm_interrupted(caller));
}

/*
 * Runs a child for its caller. Budgets compose: the child may not run
 * more instructions than any VM above it has left, and what it runs is
 * charged to each of them at once, so a budget anywhere caps the whole
 * subtree below it, however deep and in whichever nesting mode.
 *
 * A run cut short by a VM above — out of instructions, or interrupted by
 * its owner — is not an exit of the child's: the hypercall is made again
 * (HC_AGAIN) once the caller runs again, and the child goes on. Meanwhile
 * the whole tree is between runs, every VM at an instruction boundary:
 * what a snapshot of the VM at the top needs. (The ecall counts each time
 * it is made.)
 */
static long hc_run(mvm_vm *caller, mvm_vm *child, uint64_t exit_addr, uint64_t flags)
{
    struct mvm_exit ex;
    uint64_t wire[MVM_HC_EXIT_SIZE / 8] = { 0 };
    if (flags & ~(uint64_t)MVM_HC_RUN_SYSCALL)
        return -MVM_EINVAL;
    /* Check the exit record's address first: nothing runs for a bad one.
     * (Once while the caller's map stays as it is: a monitor passes the
     * same record on every run, one run per exit of a trusted child.) */
    int r = 0;
    uint64_t gen = caller->remote ? 0 : mem_space_gen(caller->p->as);
    if (caller->remote || exit_addr != caller->exit_ok || gen != caller->exit_ok_gen ||
        caller->p->as != caller->exit_ok_as) {
        if ((r = vm_guest_write(caller, exit_addr, wire, sizeof wire)) != 0)
            return r;
        caller->exit_ok = exit_addr;
        caller->exit_ok_gen = gen;
        caller->exit_ok_as = caller->remote ? NULL : caller->p->as;
    }
    bool done = !child->remote && (child->p->exited || !child->loaded);
    if (!done && stopped_above(caller))
        return HC_AGAIN;    /* nothing was done: not even a pending call */
    int64_t own = child->remote ? child->budget : atomic_load(&child->p->budget);
    int64_t left = vm_budget_left(child);
    if (flags & MVM_HC_RUN_SYSCALL) {
        /* The run serves it first (a VM of the monitor above: the flag
         * goes up with the run). With no budget left it is served alone,
         * as VM_SYSCALL would. Either way once: a run made again finds
         * the call served. */
        child->run_syscall = true;
        if (left <= 0 && !child->remote && child->at_syscall) {
            if ((r = vm_syscall(child)) != 0)
                return r;
            done = child->p->exited;
        }
    }
    if (left <= 0 && !done) {
        /* Its own budget is spent, or that of a VM it is charged to that
         * is not above the caller (trusted nesting): it does not run. */
        struct mvm_regs regs;
        memset(&ex, 0, sizeof ex);
        ex.reason = MVM_EXIT_BUDGET;
        ex.status = 124;
        if (mvm_vcpu_get_regs(child, &regs) == 0)
            ex.pc = regs.pc;
    } else {
        bool clamped = left < own;
        if (clamped)
            set_run_budget(child, left);
        vm_running_child(caller, child);
        r = vm_run_raw(child, &ex);
        vm_running_child(caller, NULL);
        int64_t rest = own - (int64_t)ex.instructions;
        if (clamped)
            set_run_budget(child, rest);
        else if (child->remote)
            child->budget -= (int64_t)ex.instructions;
        /* A native child's threads charged its ancestors slice by slice as
         * they ran; a remote one's whole run is charged here. */
        if (child->remote)
            vm_charge(child, ex.instructions);
        if (r != 0)
            return r;
        if (ex.reason == MVM_EXIT_INTERRUPTED || (ex.reason == MVM_EXIT_BUDGET && rest > 0 && stopped_above(caller)))
            return HC_AGAIN;
    }
    hc_put_exit(wire, &ex);
    return vm_guest_write(caller, exit_addr, wire, sizeof wire);
}

/* ---- boards (vm/board.c) ---------------------------------------------- */

/* The host file behind the caller's standard stream fd, for a board's
 * console: a handle of its own (the caller may close its fd while the
 * board runs), or -1: none, or not a host file. */
static int stream_of(mvm_vm *caller, int fd)
{
    struct fs_fd_info info;
    if (caller->remote || fs_fd_info(caller->p->fs, fd, &info) != 0 || info.host_fd < 0)
        return -1;
    return host_dup(info.host_fd);
}

static long hc_board_create(mvm_vm *caller, uint64_t cfg_addr, uint64_t parent_h)
{
    uint8_t wire[MVM_HC_BOARD_SIZE];
    struct mvm_board_config cfg;
    mvm_vm *parent = parent_h == 0 ? caller : child_of(caller, parent_h);
    if (!parent || parent->is_board)
        return -MVM_EBADF;
    int r = vm_guest_read(caller, cfg_addr, wire, sizeof wire);
    if (r != 0)
        return r;
    hc_get_board(wire, &cfg);
    if ((r = vm_board_check(&cfg)) != 0)
        return r;
    int slot = free_slot(caller);
    if (slot < 0)
        return slot;
    mvm_vm *child;
    int in = stream_of(caller, 0), out = stream_of(caller, 1);
    r = vm_board_create_child(&cfg, parent, in, out, &child);
    if (r != 0 || child->remote) {   /* (a remote board has the monitor above's) */
        if (in >= 0)
            host_close(in);
        if (out >= 0)
            host_close(out);
    }
    if (r != 0)
        return r;
    caller->children[slot] = child;
    return slot + 1;
}

static long hc_board_load(mvm_vm *caller, mvm_vm *child, uint64_t what, uint64_t addr, uint64_t size)
{
    if (what > MVM_BOARD_BOOTARGS || size > MVM_HC_IMAGE_MAX)
        return -MVM_EINVAL;
    uint8_t *data = malloc(size ? size : 1);
    if (!data)
        return -MVM_ENOMEM;
    int r = vm_guest_read(caller, addr, data, size);
    if (r == 0)
        r = vm_board_load(child, (int)what, data, size);
    free(data);
    return r;
}

/* A board this process runs: vm_board_run itself runs it no further than
 * every VM above has left, and charges each of them what it ran. (One the
 * monitor above runs is run as any VM of its: hc_run.) */
static long hc_board_run(mvm_vm *caller, mvm_vm *child, uint64_t exit_addr, uint64_t flags)
{
    struct mvm_exit ex;
    uint64_t wire[MVM_HC_EXIT_SIZE / 8] = { 0 };
    if (flags & ~(uint64_t)MVM_HC_RUN_SYSCALL)
        return -MVM_EINVAL;
    int r = vm_guest_write(caller, exit_addr, wire, sizeof wire);
    if (r != 0)
        return r;
    if ((r = vm_run_raw(child, &ex)) != 0)
        return r;
    hc_put_exit(wire, &ex);
    return vm_guest_write(caller, exit_addr, wire, sizeof wire);
}

/* A call on a board: those of a VM that apply, and the board's own. */
static long serve_board(mvm_vm *caller, mvm_vm *child, unsigned n, const uint64_t *a)
{
    switch (n) {
    case MVM_HC_VM_RUN:
        return child->remote ? hc_run(caller, child, a[1], a[2]) : hc_board_run(caller, child, a[1], a[2]);
    case MVM_HC_BOARD_LOAD:
        return hc_board_load(caller, child, a[1], a[2], a[3]);
    case MVM_HC_BOARD_DISK: {
        char path[PATH_MAX_HC];
        mvm_vm *src = a[1] == 0 ? caller : child_of(caller, a[1]);
        if (!src || src->is_board)
            return -MVM_EBADF;
        int r = read_str(caller, a[2], path, sizeof path);
        return r != 0 ? r : vm_board_add_disk_from(child, src, path, (unsigned)a[3]);
    }
    }
    return -MVM_EINVAL;   /* a board has no process */
}

static long serve(mvm_vm *caller, unsigned n, const uint64_t *a)
{
    if (n == MVM_HC_PROBE)
        return MVM_HC_MAGIC;
    if (n == MVM_HC_VM_CREATE)
        return hc_create(caller, a[0], a[1], a[2], a[3]);
    if (n == MVM_HC_BOARD_CREATE)
        return hc_board_create(caller, a[0], a[1]);
    if (n == MVM_HC_BALLOON)    /* the caller's own: never SET */
        return a[0] <= MVM_BALLOON_HELD ? vm_balloon(caller, (unsigned)a[0] | MVM_BALLOON_BY_GUEST, a[1], a[2])
                                        : -MVM_EINVAL;
    mvm_vm *child = child_of(caller, a[0]);
    if (!child)
        return -MVM_EBADF;
    if (child->is_board && n != MVM_HC_VM_DESTROY && n != MVM_HC_VM_SET_BUDGET && n != MVM_HC_VM_STATS &&
        n != MVM_HC_VM_ERROR)
        return serve_board(caller, child, n, a);
    switch (n) {
    case MVM_HC_VM_DESTROY:
        destroy_child(caller, (int)a[0] - 1);
        return 0;
    case MVM_HC_VM_ADD_DIR: {
        char path[PATH_MAX_HC], guest[PATH_MAX_HC];
        mvm_vm *src = a[1] == 0 ? caller : child_of(caller, a[1]);
        if (!src || src == child || src->is_board)
            return -MVM_EBADF;
        int r = read_str(caller, a[2], path, sizeof path);
        if (r == 0)
            r = read_str(caller, a[3], guest, sizeof guest);
        return r != 0 ? r : vm_add_dir_from(child, src, path, guest, a[4] != 0);
    }
    case MVM_HC_VM_REDIRECT: {
        char path[PATH_MAX_HC];
        mvm_vm *src = a[1] == 0 ? caller : child_of(caller, a[1]);
        if (!src || src == child || src->is_board)
            return -MVM_EBADF;
        if (a[2] > 2 || a[4] > MVM_REDIRECT_APPEND)
            return -MVM_EINVAL;   /* checked before any narrowing */
        int r = read_str(caller, a[3], path, sizeof path);
        return r != 0 ? r : vm_redirect_from(child, src, (int)a[2], path, (int)a[4]);
    }
    case MVM_HC_VM_ALLOW_NET: {
        char addr[256];
        mvm_vm *src = a[1] == 0 ? caller : child_of(caller, a[1]);
        if (!src || src == child || src->is_board)
            return -MVM_EBADF;
        int r = read_str(caller, a[3], addr, sizeof addr);
        return r != 0 ? r : vm_allow_net_from(child, src, (int)a[2], addr);
    }
    case MVM_HC_VM_SET_CWD: {
        char path[PATH_MAX_HC];
        int r = read_str(caller, a[1], path, sizeof path);
        return r != 0 ? r : mvm_vm_set_cwd(child, path);
    }
    case MVM_HC_VM_LOAD_ELF:
        return hc_load(caller, child, a);
    case MVM_HC_VM_LOAD_PATH:
        return hc_load_path(caller, child, a);
    case MVM_HC_VM_MAP:
        return mvm_vm_map(child, a[1], a[2], (int)(a[3] & 7));
    case MVM_HC_VM_UNMAP:
        return mvm_vm_unmap(child, a[1], a[2]);
    case MVM_HC_VM_READ:
        return copy_between(child, a[1], caller, a[2], a[3], a[4] != 0, true);
    case MVM_HC_VM_WRITE:
        return copy_between(caller, a[2], child, a[1], a[3], true, a[4] != 0);
    case MVM_HC_VCPU_GET: {
        uint8_t wire[MVM_HC_REGS_SIZE];
        struct mvm_regs regs;
        int r = mvm_vcpu_get_regs(child, &regs);
        if (r == 0) {
            hc_put_regs(wire, &regs);
            r = vm_guest_write(caller, a[1], wire, sizeof wire);
        }
        return r;
    }
    case MVM_HC_VCPU_SET: {
        uint8_t wire[MVM_HC_REGS_SIZE];
        struct mvm_regs regs;
        int r = vm_guest_read(caller, a[1], wire, sizeof wire);
        if (r != 0)
            return r;
        hc_get_regs(wire, &regs);
        return mvm_vcpu_set_regs(child, &regs);
    }
    case MVM_HC_VM_RUN:
        return hc_run(caller, child, a[1], a[2]);
    case MVM_HC_VM_SET_BUDGET:
        return mvm_vm_set_budget(child, (int64_t)a[1]);
    case MVM_HC_VM_STATS: {
        uint8_t wire[MVM_HC_STATS_SIZE];
        struct mvm_stats st;
        int r = vm_stats(child, &st);
        if (r != 0)
            return r;
        hc_put_stats(wire, &st);
        return vm_guest_write(caller, a[1], wire, sizeof wire);
    }
    case MVM_HC_VM_SYSCALL: {
        /* A blocking call is a run of the child's: interrupted as one. */
        vm_running_child(caller, child);
        int r = vm_syscall(child);
        vm_running_child(caller, NULL);
        return r;
    }
    case MVM_HC_VM_BALLOON:
        return a[1] <= 0xffff ? vm_balloon(child, (unsigned)a[1], a[2], a[3]) : -MVM_EINVAL;
    case MVM_HC_BOARD_LOAD:
    case MVM_HC_BOARD_DISK:
        return -MVM_EINVAL;   /* not a board */
    case MVM_HC_VM_ERROR: {
        size_t len = strlen(child->error) + 1;
        if (a[2] < len)
            return -MVM_EINVAL;
        return vm_guest_write(caller, a[1], child->error, len);
    }
    }
    return -38;   /* ENOSYS */
}

void vm_hcall_serve(mvm_vm *caller)
{
    uint64_t a[6], nr;
    struct rv_hart *h = caller->remote ? NULL : caller->p->hart;
    struct mvm_regs r;
    if (h) {   /* a native caller's registers are read in place */
        memcpy(a, &h->x[10], sizeof a);
        nr = h->x[17];
    } else {
        if (mvm_vcpu_get_regs(caller, &r) != 0)
            return;
        memcpy(a, &r.x[10], sizeof a);
        nr = r.x[17];
    }
    unsigned n = (unsigned)(nr - MVM_HC_BASE);
    long res = n < MVM_HC_COUNT ? serve(caller, n, a) : -38;
    if (res == HC_AGAIN)
        return;
    if (h) {
        h->x[10] = (uint64_t)res;
        h->pc += 4;
        return;
    }
    r.x[10] = (uint64_t)res;
    r.pc += 4;
    mvm_vcpu_set_regs(caller, &r);
}
