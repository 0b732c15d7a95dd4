/*
 * board.c — the board of system mode (sys/board.h) as a kind of VM, so
 * that libmvm, its hypercalls and therefore every nesting mode apply to
 * it: a monitor inside mvm asks the one above for a board as it asks for
 * a VM, and in trusted and lowered nesting the real environment makes and
 * runs it, whatever the depth (docs/board.md, "Nested").
 *
 * A board VM keeps its firmware, kernel and command line, so that a reset
 * the guest asks for starts it again from them within one mvm_vm_run.
 */
#include "vm/vm_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/fs.h"
#include "sys/board.h"
#include "sys/virtio.h"
#include "user/fs.h"
#include "user/lx.h"

#define DEFAULT_RAM (128ull << 20)
#define KERNEL_BASE (BOARD_RAM_BASE + (2ull << 20))   /* where fw_jump jumps */

int vm_board_check(struct mvm_board_config *c)
{
    if (!c->ram_bytes)
        c->ram_bytes = DEFAULT_RAM;
    if (!c->harts)
        c->harts = 1;
    if (c->ram_bytes < (1ull << 20) || (c->ram_bytes & (MEM_PAGE_SIZE - 1)) || c->ram_bytes > (1ull << 38) ||
        c->harts > BOARD_MAX_HARTS || c->icount < -1 || c->icount > 10 || c->budget < 0 ||
        (c->flags & ~(unsigned)(MVM_NO_JIT | MVM_BOARD_RNG)) || c->nest_mode > MVM_NEST_LOWERED ||
        (c->mem_limit && c->mem_limit < MVM_MEM_MIN))
        return -MVM_EINVAL;
    return 0;
}

static int create_remote(const struct mvm_board_config *cfg, long parent_h, mvm_vm **out)
{
    uint8_t wire[MVM_HC_BOARD_SIZE];
    hc_put_board(wire, cfg);
    mvm_vm *vm = calloc(1, sizeof *vm);
    if (!vm)
        return -MVM_ENOMEM;
    long h = HC(BOARD_CREATE, PTR(wire), parent_h, 0, 0, 0, 0);
    if (h < 0) {
        free(vm);
        return (int)h;
    }
    vm->remote = vm->is_board = true;
    vm->handle = h;
    vm->budget = cfg->budget ? cfg->budget : INT64_MAX;
    *out = vm;
    return 0;
}

/* A board this process runs. */
static int create_native(const struct mvm_board_config *cfg, mvm_vm *parent, int console_in, int console_out,
                         mvm_vm **out)
{
    if (parent && parent->remote)
        return -MVM_EINVAL;
    int depth = parent ? parent->depth + 1 : 1;
    if (depth > MVM_MAX_DEPTH)
        return -MVM_ELOOP;
    struct board_config bc = {
        .ram_bytes = cfg->ram_bytes,
        .mem_limit = cfg->mem_limit,
        .parent_pool = parent ? parent->p->pool : NULL,
        .harts = cfg->harts,
        .icount = cfg->icount,
        .console_in = console_in,
        .console_out = console_out,
        .own_console = parent != NULL,    /* a guest's: handles of the board's own */
        .no_jit = (cfg->flags & MVM_NO_JIT) != 0,
    };
    mvm_vm *vm = calloc(1, sizeof *vm);
    struct vm_board *vb = calloc(1, sizeof *vb);
    char why[256];
    if (!vm || !vb || !(vb->b = board_new(&bc, why, sizeof why))) {
        free(vm);
        free(vb);
        return -MVM_ENOMEM;
    }
    vb->rng = (cfg->flags & MVM_BOARD_RNG) != 0;
    vm->is_board = true;
    vm->board = vb;
    vm->parent = parent;
    vm->depth = depth;
    vm->budget = cfg->budget ? cfg->budget : INT64_MAX;
    *out = vm;
    return 0;
}

int vm_board_create_child(const struct mvm_board_config *cfg, mvm_vm *parent, int console_in, int console_out,
                          mvm_vm **out)
{
    if (parent_present())   /* the monitor above makes it, charged to parent */
        return create_remote(cfg, parent && parent->remote ? parent->handle : 0, out);
    return create_native(cfg, parent, console_in, console_out, out);
}

int mvm_vm_is_board(const mvm_vm *vm)
{
    return vm && vm->is_board;
}

int mvm_board_create(const struct mvm_board_config *cfg, mvm_vm **out)
{
    static const struct mvm_board_config dflt = MVM_BOARD_CONFIG_INIT;
    if (!out)
        return -MVM_EINVAL;
    struct mvm_board_config c = cfg ? *cfg : dflt;
    int r = vm_board_check(&c);
    if (r != 0)
        return r;
    /* Outside mvm, or emulating, this process runs it, on our console. */
    if (c.nest_mode == MVM_NEST_EMULATE || !parent_present())
        return create_native(&c, NULL, 0, 1, out);
    return create_remote(&c, 0, out);
}

void vm_board_free(mvm_vm *vm)
{
    struct vm_board *vb = vm->board;
    if (!vb)
        return;
    board_free(vb->b);
    free(vb->image[0]);
    free(vb->image[1]);
    free(vb->bootargs);
    for (unsigned i = 0; i < vb->ndisks; i++)
        free(vb->disk_path[i]);
    free(vb);
    vm->board = NULL;
}

/* A remote board's call returned r: its error text comes with a failure. */
static int remote_error(mvm_vm *vm, long r)
{
    if (r < 0 && HC(VM_ERROR, vm->handle, PTR(vm->error), sizeof vm->error, 0, 0, 0) != 0)
        vm->error[0] = 0;
    return (int)r;
}

/* Puts file what (its copy) into RAM: 0, or -MVM_ENOEXEC with the error. */
static int load_image(mvm_vm *vm, int what)
{
    struct vm_board *vb = vm->board;
    char why[200];
    if (board_load(vb->b, vb->image[what], vb->size[what], what == MVM_BOARD_KERNEL ? KERNEL_BASE : 0,
                   &vb->entry[what], why, sizeof why) != 0) {
        snprintf(vm->error, sizeof vm->error, "%s", why);
        return -MVM_ENOEXEC;
    }
    return 0;
}

int vm_board_load(mvm_vm *vm, int what, const void *data, size_t size)
{
    if (what < MVM_BOARD_FIRMWARE || what > MVM_BOARD_BOOTARGS || size > MVM_HC_IMAGE_MAX)
        return -MVM_EINVAL;
    if (vm->remote)
        return remote_error(vm, HC(BOARD_LOAD, vm->handle, what, PTR(data), size, 0, 0));
    struct vm_board *vb = vm->board;
    if (vb->started)
        return -MVM_EBUSY;
    if (what == MVM_BOARD_BOOTARGS) {
        if (memchr(data, 0, size))
            return -MVM_EINVAL;
        char *s = malloc(size + 1);
        if (!s)
            return -MVM_ENOMEM;
        memcpy(s, data, size);
        s[size] = 0;
        free(vb->bootargs);
        vb->bootargs = s;
        return 0;
    }
    uint8_t *copy = malloc(size ? size : 1);
    if (!copy)
        return -MVM_ENOMEM;
    memcpy(copy, data, size);
    free(vb->image[what]);
    vb->image[what] = copy;
    vb->size[what] = size;
    return load_image(vm, what);
}

int mvm_board_load(mvm_vm *vm, int what, const void *data, size_t size)
{
    if (!vm || !vm->is_board || (!data && size))
        return -MVM_EINVAL;
    return vm_board_load(vm, what, data, size);
}

int vm_board_add_disk_from(mvm_vm *vm, mvm_vm *src, const char *path, unsigned flags)
{
    if (flags & ~(unsigned)(MVM_DISK_RO | MVM_DISK_SNAPSHOT))
        return -MVM_EINVAL;
    if (vm->remote)
        return remote_error(vm, HC(BOARD_DISK, vm->handle, src && src->remote ? src->handle : 0, PTR(path), flags, 0, 0));
    if (src && src->remote)
        return -MVM_EINVAL;
    struct vm_board *vb = vm->board;
    if (vb->started)
        return -MVM_EBUSY;
    if (vb->ndisks == MVM_BOARD_DISKS)
        return -MVM_EINVAL;
    /* The file is opened through src's sandbox, with its rights (our own
     * files: a sandbox whose root is the host's, or the working
     * directory for a relative path). */
    struct fs *own = NULL, *from = src ? src->p->fs : NULL;
    if (!from) {
        if (!(own = fs_new()))
            return -MVM_ENOMEM;
        int r = fs_add_dir(own, path[0] == '/' ? "/" : ".", "/", false);
        if (r != 0) {
            fs_free(own);
            return r;
        }
        from = own;
    }
    bool ro = flags & (MVM_DISK_RO | MVM_DISK_SNAPSHOT);
    int gfd = fs_openat(from, LX_AT_FDCWD, path, ro ? LX_O_RDONLY : LX_O_RDWR, 0);
    int fd = -1;
    struct fs_fd_info info;
    if (gfd >= 0) {
        fd = fs_fd_info(from, gfd, &info) == 0 && info.host_fd >= 0 ? host_dup(info.host_fd) : -MVM_EINVAL;
        fs_close(from, gfd);
    } else {
        fd = gfd;
    }
    if (own)
        fs_free(own);
    if (fd < 0) {
        snprintf(vm->error, sizeof vm->error, "%s: %s", path, mvm_strerror(fd));
        return fd;
    }
    char why[sizeof vm->error];
    struct board_dev *d = board_virtio_blk_new(vb->b, BOARD_VIRTIO_BASE + 0x1000ull * vb->ndisks, fd, path,
                                               flags & MVM_DISK_RO, flags & MVM_DISK_SNAPSHOT, why, sizeof why);
    if (!d) {
        snprintf(vm->error, sizeof vm->error, "%s", why);
        return -MVM_EINVAL;
    }
    if (!board_add_dev(vb->b, d))
        return -MVM_ENOMEM;
    /* Recorded for snapshots: our own files by their full path. */
    char *real = src ? NULL : realpath(path, NULL);
    vb->disk_path[vb->ndisks] = real ? real : strdup(path);
    vb->disk_flags[vb->ndisks] = flags;
    vb->ndisks++;
    return 0;
}

int mvm_board_add_disk(mvm_vm *vm, const char *path, unsigned flags)
{
    if (!vm || !vm->is_board || !path)
        return -MVM_EINVAL;
    return vm_board_add_disk_from(vm, NULL, path, flags);
}

bool vm_board_add_last_devices(mvm_vm *vm)
{
    struct vm_board *vb = vm->board;
    struct board *b = vb->b;
    return (!vb->rng || board_add_dev(b, board_virtio_rng_new(b, BOARD_VIRTIO_BASE + 0x1000ull * vb->ndisks))) &&
           board_virtio_fill(b);
}

/* Powers the board on from its files: the device tree and OpenSBI's
 * information written, every hart at the firmware's entry. false (the
 * reason in vm->error) if there is no room for them. */
static bool power_on(mvm_vm *vm)
{
    struct vm_board *vb = vm->board;
    struct board *b = vb->b;
    uint64_t dtb = 0, info = 0;
    char why[200];
    int r = board_fdt(b, vb->bootargs, &dtb, why, sizeof why);
    if (r < 0 || (dtb && board_fw_info(b, dtb, vb->image[MVM_BOARD_KERNEL] ? vb->entry[MVM_BOARD_KERNEL] : 0,
                                       &info) != 0)) {
        snprintf(vm->error, sizeof vm->error, "%s", r < 0 ? why : "no room in RAM for the firmware's boot information");
        return false;
    }
    board_start(b, vb->entry[MVM_BOARD_FIRMWARE], dtb, info);
    return true;
}

/* A reset the guest asked for: RAM is cleared, the devices are as at
 * power-on (disks keep what was written), the files are loaded again and
 * the harts start over. */
static bool reset(mvm_vm *vm)
{
    struct vm_board *vb = vm->board;
    board_reset(vb->b);
    for (int w = MVM_BOARD_FIRMWARE; w <= MVM_BOARD_KERNEL; w++)
        if (vb->image[w] && load_image(vm, w) != 0)
            return false;
    return power_on(vm);
}

/* The monitor's `snapshot FILE` (sys/monitor.c): written now, between the
 * harts' runs; the run goes on. */
static void monitor_snapshot(mvm_vm *vm)
{
    struct board *b = vm->board->b;
    host_mutex_lock(b->lock);
    char *path = b->snapshot_request;
    b->snapshot_request = NULL;
    host_mutex_unlock(b->lock);
    if (!path)
        return;
    int r = vm_board_snapshot(vm, path, 0);
    if (r == 0)
        monitor_say(b, "snapshot written to %s\r\n(mvm) ", path);
    else
        monitor_say(b, "snapshot %s: %s\r\n(mvm) ", path, *vm->error ? vm->error : mvm_strerror(r));
    free(path);
}

int vm_board_run(mvm_vm *vm, struct mvm_exit *ex)
{
    struct vm_board *vb = vm->board;
    struct board *b = vb->b;
    if (vb->ended)
        return -MVM_EBUSY;
    if (!vb->image[MVM_BOARD_FIRMWARE] && !vb->started)
        return -MVM_EINVAL;
    vm->error[0] = 0;
    atomic_store(&b->end, 0);
    if (atomic_exchange(&vb->interrupt, 0)) {
        ex->reason = MVM_EXIT_INTERRUPTED;
        ex->pc = b->harts[0]->hart->pc;
        ex->addr = b->harts[0]->cpu.priv;
        return 0;
    }
    int end = 0;
    if (!vb->started) {
        if (!vm_board_add_last_devices(vm))
            return -MVM_ENOMEM;
        vb->started = true;
        if (!power_on(vm))
            end = BOARD_NOMEM;
    }
    /* No more than every VM above has left (b->cfg.budget counts from
     * power-on, all harts together); what it ran is charged to them all
     * when the run returns. */
    int64_t before = atomic_load(&b->retired), left = vm_budget_left(vm);
    if (left <= 0 && !end) {
        ex->reason = MVM_EXIT_BUDGET;
        ex->status = 124;
        ex->pc = b->harts[0]->hart->pc;
        ex->addr = b->harts[0]->cpu.priv;
        return 0;
    }
    b->cfg.budget = left >= INT64_MAX / 2 ? 0 : before + left;
    while (!end) {
        end = board_go(b);
        if (end == BOARD_RESET) {
            end = reset(vm) ? 0 : BOARD_NOMEM;
        } else if (end == BOARD_PAUSE) {
            /* An interrupt, or the monitor asking for a snapshot. */
            if (atomic_exchange(&vb->interrupt, 0))
                break;
            monitor_snapshot(vm);
            end = 0;
        }
        if (!end) {
            atomic_store(&b->end, 0);
            if (atomic_load(&vb->interrupt))
                board_pause(b);     /* one that came since the pause: not lost */
        }
    }
    uint64_t ran = (uint64_t)(atomic_load(&b->retired) - before);
    ex->instructions = ran;
    if (vm->budget < INT64_MAX / 2)
        vm->budget -= (int64_t)ran;
    vm_charge(vm, ran);
    ex->pc = b->harts[0]->hart->pc;
    ex->addr = b->harts[0]->cpu.priv;
    switch (end) {
    case BOARD_POWEROFF:
        vb->ended = true;
        ex->reason = MVM_EXIT_EXITED;
        ex->cause = MVM_BOARD_POWEROFF;
        ex->status = b->end_status & 0xff;
        if (b->end_status && !ex->status)
            ex->status = 1;
        break;
    case BOARD_QUIT:
        vb->ended = true;
        ex->reason = MVM_EXIT_EXITED;
        ex->cause = MVM_BOARD_QUIT;
        break;
    case BOARD_BUDGET:
        ex->reason = MVM_EXIT_BUDGET;    /* it goes on at the next run */
        ex->status = 124;
        break;
    case BOARD_PAUSE:
        ex->reason = MVM_EXIT_INTERRUPTED;
        break;
    default:
        vb->ended = true;
        ex->reason = MVM_EXIT_NOMEM;
        ex->status = 128 + 9;
        ex->signal = 9;
        break;
    }
    return 0;
}

int vm_board_interrupt(mvm_vm *vm)
{
    atomic_store(&vm->board->interrupt, 1);
    board_pause(vm->board->b);
    return 0;
}

void vm_board_stats(const mvm_vm *vm, struct mvm_stats *out)
{
    const struct board *b = vm->board->b;
    struct mem_stats ms;
    mem_pool_stats(b->pool, &ms);
    out->instructions = (uint64_t)atomic_load(&b->retired);
    out->resident_bytes = ms.pages_in_use * MEM_PAGE_SIZE;
    out->peak_bytes = ms.pages_peak * MEM_PAGE_SIZE;
    out->zero_fills = ms.zero_fills;
    for (unsigned i = 0; i < b->nharts; i++) {
        const struct rv_hart *h = b->harts[i]->hart;
        out->blocks_decoded += h->stat_blocks_translated;
        out->blocks_compiled += h->stat_jit_blocks;
        out->jit_regions += h->stat_jit_regions;
        out->jit_code_bytes += h->stat_jit_bytes;
        out->jit_compile_ns += h->stat_jit_ns;
        out->code_flushes += h->stat_cache_flushes;
        out->tlb_misses += h->stat_tlb_misses;
    }
}
