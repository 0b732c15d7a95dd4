/*
 * board.c — snapshots of boards (system mode): what the board was made of
 * (BOARD_SEC_CONFIG, its files, its disks), then its running state as
 * sys/save.c writes it (docs/snapshot-format.md, "Sections of a board").
 * A restore makes the same board, opens the same disk files again and
 * loads the state into it; the board goes on at its next run.
 */
#include "snap/snap_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sys/board.h"

/* CONFIG flags. */
#define CONFIG_RNG 1

static int write_sections(mvm_vm *vm, struct snap_writer *w)
{
    struct vm_board *vb = vm->board;
    struct board *b = vb->b;
    struct snap_buf o = { 0 };
    snap_put_u64(&o, b->cfg.ram_bytes);
    snap_put_u32(&o, b->nharts);
    snap_put_u32(&o, (uint32_t)b->cfg.icount);
    snap_put_u32(&o, vb->rng ? CONFIG_RNG : 0);
    snap_put_u32(&o, vb->ndisks);
    int r = snap_write_buf(w, BOARD_SEC_CONFIG, &o);
    for (int what = MVM_BOARD_FIRMWARE; r == 0 && what <= MVM_BOARD_BOOTARGS; what++) {
        const void *data = what == MVM_BOARD_BOOTARGS ? (const void *)vb->bootargs : (const void *)vb->image[what];
        if (!data)
            continue;
        snap_buf_reset(&o);
        snap_put_u32(&o, (uint32_t)what);
        snap_put_bytes(&o, data, what == MVM_BOARD_BOOTARGS ? strlen(vb->bootargs) : vb->size[what]);
        r = snap_write_buf(w, BOARD_SEC_FILE, &o);
    }
    for (unsigned i = 0; r == 0 && i < vb->ndisks; i++) {
        snap_buf_reset(&o);
        snap_put_str(&o, vb->disk_path[i]);
        snap_put_u32(&o, vb->disk_flags[i]);
        r = snap_write_buf(w, BOARD_SEC_DISK, &o);
    }
    snap_buf_free(&o);
    if (r != 0)
        snprintf(vm->error, sizeof vm->error, "%s", r == SNAP_ENOMEM ? "out of host memory" : snap_writer_error(w));
    else if ((r = board_save(b, w, vm->error, sizeof vm->error)) != 0 && r != SNAP_EUNSUPPORTED && r != SNAP_ENOMEM)
        snprintf(vm->error, sizeof vm->error, "%s", snap_writer_error(w));
    return r;
}

int vm_board_snapshot(mvm_vm *vm, const char *path, unsigned flags)
{
    vm->error[0] = 0;
    if (vm->remote) {
        snprintf(vm->error, sizeof vm->error, "the board is run by the monitor above");
        return -MVM_ENOSYS;
    }
    struct vm_board *vb = vm->board;
    if (!vb->started || vb->ended) {
        snprintf(vm->error, sizeof vm->error, "the board %s", vb->ended ? "has ended" : "has not run yet");
        return -MVM_EBUSY;
    }
    struct snap_writer *w;
    int r = snap_writer_open(path, &w, vm->error, sizeof vm->error);
    if (r != 0)
        return snap_errno(r);
    if (flags & MVM_SNAPSHOT_UNCOMPRESSED)
        snap_writer_raw(w);
    r = write_sections(vm, w);
    if (r == 0 && (r = snap_writer_commit(w)) != 0)
        snprintf(vm->error, sizeof vm->error, "%s", snap_writer_error(w));
    snap_writer_abort(w);   /* frees; removes the file unless committed */
    return r == SNAP_EUNSUPPORTED ? -MVM_ENOTSUP : snap_errno(r);
}

/* ---- restoring --------------------------------------------------------- */

static int damaged(char *err, size_t errlen, const char *what)
{
    snprintf(err, errlen, "the snapshot's %s is damaged", what);
    return -MVM_EBADMSG;
}

/* The devices made once the files and disks are known, as the first run
 * makes them. */
static int finish_devices(mvm_vm *vm, char *err, size_t errlen)
{
    struct vm_board *vb = vm->board;
    struct board *b = vb->b;
    if (!vm_board_add_last_devices(vm)) {
        snprintf(err, errlen, "out of host memory");
        return -MVM_ENOMEM;
    }
    /* HTIF, for a program with a tohost symbol, as loading it made it (its
     * page's bytes come with the device's section). */
    for (int w = MVM_BOARD_FIRMWARE; w <= MVM_BOARD_KERNEL; w++)
        if (vb->image[w] && board_htif_setup(b, vb->image[w], vb->size[w], err, errlen) != 0)
            return -MVM_EBADMSG;
    vb->started = true;
    return 0;
}

static int restore_rest(mvm_vm *vm, struct snap_reader *rd, unsigned ndisks, char *err, size_t errlen)
{
    struct vm_board *vb = vm->board;
    uint32_t type;
    struct snap_cur c;
    unsigned harts = 0;
    bool clock = false;
    int r;
    while ((r = snap_reader_next(rd, &type, &c)) == 1) {
        if (type == BOARD_SEC_FILE) {
            uint32_t what = snap_get_u32(&c);
            if (c.bad || what > MVM_BOARD_BOOTARGS || vb->started)
                return damaged(err, errlen, "files");
            size_t n = c.len - c.off;
            const uint8_t *data = snap_get_bytes(&c, n);
            if (what == MVM_BOARD_BOOTARGS) {
                if (memchr(data, 0, n) || !(vb->bootargs = strndup((const char *)data, n)))
                    return damaged(err, errlen, "command line");
            } else {
                /* Kept for a reset, which loads it again; RAM has it now. */
                if (!(vb->image[what] = malloc(n ? n : 1)))
                    return -MVM_ENOMEM;
                memcpy(vb->image[what], data, n);
                vb->size[what] = n;
            }
            continue;
        }
        if (type == BOARD_SEC_DISK) {
            char path[4096];
            if (snap_get_str(&c, path, sizeof path) < 0 || vb->started || vb->ndisks == ndisks)
                return damaged(err, errlen, "disks");
            uint32_t flags = snap_get_u32(&c);
            if (!snap_cur_end(&c) || (flags & ~(uint32_t)(MVM_DISK_RO | MVM_DISK_SNAPSHOT)))
                return damaged(err, errlen, "disks");
            /* The same file again, as it was when the board was saved. */
            if ((r = vm_board_add_disk_from(vm, NULL, path, flags)) != 0) {
                snprintf(err, errlen, "the board's disk %s", vm->error);
                return r == -MVM_EINVAL ? -MVM_ENOENT : r;
            }
            continue;
        }
        if (!vb->started) {
            if (vb->ndisks != ndisks)
                return damaged(err, errlen, "disks");
            if ((r = finish_devices(vm, err, errlen)) != 0)
                return r;
        }
        r = board_load_section(vb->b, type, &c, err, errlen);
        if (r < 0)
            return -MVM_EBADMSG;
        if (r == 0 && !(type & SNAP_TYPE_OPTIONAL)) {
            snprintf(err, errlen, "the snapshot has a section (type %u) that is not a board's", type);
            return -MVM_EBADMSG;
        }
        clock |= type == BOARD_SEC_CLOCK;
        harts += type == BOARD_SEC_HART;
    }
    if (r < 0) {
        snprintf(err, errlen, "%s", snap_reader_error(rd));
        return snap_errno(r);
    }
    if (!vb->started || !clock || harts != vb->b->nharts || !vb->image[MVM_BOARD_FIRMWARE])
        return damaged(err, errlen, "state (a part is missing)");
    return 0;
}

int vm_board_restore(struct snap_reader *rd, struct snap_cur *c, mvm_vm **out, char *err, size_t errlen)
{
    struct mvm_board_config cfg = MVM_BOARD_CONFIG_INIT;
    cfg.ram_bytes = snap_get_u64(c);
    cfg.harts = snap_get_u32(c);
    cfg.icount = (int32_t)snap_get_u32(c);
    uint32_t flags = snap_get_u32(c), ndisks = snap_get_u32(c);
    cfg.flags = flags & CONFIG_RNG ? MVM_BOARD_RNG : 0;
    cfg.nest_mode = MVM_NEST_EMULATE;    /* here, whatever runs this monitor */
    if (!snap_cur_end(c) || (flags & ~(uint32_t)CONFIG_RNG) || !cfg.harts || ndisks > MVM_BOARD_DISKS ||
        vm_board_check(&cfg) != 0)
        return damaged(err, errlen, "board configuration");
    mvm_vm *vm;
    int r = mvm_board_create(&cfg, &vm);
    if (r != 0) {
        snprintf(err, errlen, "cannot make the board: %s", mvm_strerror(r));
        return r;
    }
    if ((r = restore_rest(vm, rd, ndisks, err, errlen)) != 0) {
        mvm_vm_destroy(vm);
        return r;
    }
    *out = vm;
    return 0;
}
