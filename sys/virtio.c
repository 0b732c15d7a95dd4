/*
 * virtio.c — the virtio-mmio transport, version 2 (virtio 1.1, 4.2.2):
 * the register file, feature negotiation, the device status, queue set-up,
 * and the split virtqueues' rings in guest memory (2.6). Polled: a used
 * buffer sets InterruptStatus, and drivers that poll the used ring (as
 * U-Boot's do) need no interrupt line.
 */
#include "sys/virtio.h"

#include <stdlib.h>
#include <string.h>

#include "host/host.h"
#include "snap/format.h"

#define MAGIC 0x74726976u          /* "virt" */
#define VENDOR 0x554d4551u         /* "QEMU", as drivers expect of virt */

#define STATUS_NEEDS_RESET 64
#define DESC_F_NEXT 1
#define DESC_F_WRITE 2
#define DESC_F_INDIRECT 4

int virtio_read(struct virtio_mmio *v, uint64_t addr, void *buf, size_t len)
{
    uint64_t end = BOARD_RAM_BASE + v->dev.board->cfg.ram_bytes;
    if (addr < BOARD_RAM_BASE || addr > end || len > end - addr)
        return -1;
    return mem_read(v->dev.board->phys, addr, buf, len) == 0 ? 0 : -1;
}

int virtio_write(struct virtio_mmio *v, uint64_t addr, const void *buf, size_t len)
{
    uint64_t end = BOARD_RAM_BASE + v->dev.board->cfg.ram_bytes;
    if (addr < BOARD_RAM_BASE || addr > end || len > end - addr)
        return -1;
    return mem_write(v->dev.board->phys, addr, buf, len) == 0 ? 0 : -1;
}

/* The interrupt line (to the PLIC) is up while InterruptStatus is not 0. */
static void virtio_irq(struct virtio_mmio *v)
{
    board_irq(v->dev.board, v->irq, v->int_status != 0);
}

static void broken(struct virtio_mmio *v)
{
    v->status |= STATUS_NEEDS_RESET;
    v->int_status |= 2;     /* a configuration change: the status says what */
    virtio_irq(v);
}

int virtq_pop(struct virtio_mmio *v, struct virtq *q, uint16_t *head, struct virtq_buf *buf, unsigned *n)
{
    if (!q->ready || (v->status & STATUS_NEEDS_RESET))
        return 0;
    uint8_t b[16];
    if (virtio_read(v, q->avail + 2, b, 2) != 0) {
        broken(v);
        return -1;
    }
    uint16_t idx = ld16(b);
    if (idx == q->last_avail)
        return 0;
    if ((uint16_t)(idx - q->last_avail) > q->num) {
        broken(v);
        return -1;
    }
    if (virtio_read(v, q->avail + 4 + 2ull * (q->last_avail % q->num), b, 2) != 0) {
        broken(v);
        return -1;
    }
    q->last_avail++;
    uint16_t d = ld16(b);
    *head = d;
    *n = 0;
    for (;;) {
        if (d >= q->num || *n == VIRTQ_CHAIN_MAX || virtio_read(v, q->desc + 16ull * d, b, 16) != 0) {
            broken(v);
            return -1;
        }
        uint16_t flags = ld16(b + 12);
        if (flags & DESC_F_INDIRECT) {     /* not offered */
            broken(v);
            return -1;
        }
        buf[*n] = (struct virtq_buf){ ld64(b), ld32(b + 8), (flags & DESC_F_WRITE) != 0 };
        ++*n;
        if (!(flags & DESC_F_NEXT))
            return 1;
        d = ld16(b + 14);
    }
}

void virtq_push(struct virtio_mmio *v, struct virtq *q, uint16_t head, uint32_t len)
{
    uint8_t b[8];
    if (virtio_read(v, q->used + 2, b, 2) != 0) {
        broken(v);
        return;
    }
    uint16_t idx = ld16(b);
    st32(b, head);
    st32(b + 4, len);
    if (virtio_write(v, q->used + 4 + 8ull * (idx % q->num), b, 8) != 0) {
        broken(v);
        return;
    }
    st16(b, (uint16_t)(idx + 1));
    if (virtio_write(v, q->used + 2, b, 2) != 0) {
        broken(v);
        return;
    }
    v->int_status |= 1;
    virtio_irq(v);
}

static void reset(struct virtio_mmio *v)
{
    v->status = 0;
    v->int_status = 0;
    v->driver_features = 0;
    v->queue_sel = v->dev_features_sel = v->drv_features_sel = 0;
    memset(v->q, 0, sizeof v->q);
    if (v->reset)
        v->reset(v);
}

static struct virtq *selected(struct virtio_mmio *v)
{
    return v->queue_sel < v->nq ? &v->q[v->queue_sel] : NULL;
}

static int mmio_read(struct board_dev *d, uint64_t off, unsigned len, uint64_t *val)
{
    struct virtio_mmio *v = (struct virtio_mmio *)d;
    if (off >= 0x100)
        return v->config_read(v, off - 0x100, len, val);
    if (len != 4)
        return -1;
    struct virtq *q = selected(v);
    switch (off) {
    case 0x000: *val = MAGIC; return 0;
    case 0x004: *val = 2; return 0;
    case 0x008: *val = v->device_id; return 0;
    case 0x00c: *val = VENDOR; return 0;
    case 0x010: *val = v->dev_features_sel < 2 ? (uint32_t)(v->features >> (32 * v->dev_features_sel)) : 0; return 0;
    case 0x034: *val = q ? VIRTIO_QUEUE_MAX : 0; return 0;
    case 0x044: *val = q && q->ready; return 0;
    case 0x060: *val = v->int_status; return 0;
    case 0x070: *val = v->status; return 0;
    case 0x0fc: *val = v->config_gen; return 0;
    }
    *val = 0;
    return 0;
}

static void set_half(uint64_t *r, bool high, uint64_t val)
{
    *r = high ? (*r & 0xffffffffull) | val << 32 : (*r & ~0xffffffffull) | (val & 0xffffffffull);
}

static int mmio_write(struct board_dev *d, uint64_t off, unsigned len, uint64_t val)
{
    struct virtio_mmio *v = (struct virtio_mmio *)d;
    if (off >= 0x100)
        return 0;       /* no writable configuration fields */
    if (len != 4)
        return -1;
    struct virtq *q = selected(v);
    val &= 0xffffffffull;
    switch (off) {
    case 0x014: v->dev_features_sel = (uint32_t)val; return 0;
    case 0x020:
        if (v->drv_features_sel < 2)
            set_half(&v->driver_features, v->drv_features_sel == 1, val & (v->features >> (32 * v->drv_features_sel)));
        return 0;
    case 0x024: v->drv_features_sel = (uint32_t)val; return 0;
    case 0x030: v->queue_sel = (uint32_t)val; return 0;
    case 0x038: if (q && val && val <= VIRTIO_QUEUE_MAX && !(val & (val - 1))) q->num = (uint32_t)val; return 0;
    case 0x044:
        if (q)
            q->ready = val == 1 && q->num;
        return 0;
    case 0x050:
        if ((uint32_t)val < v->nq && v->q[val].ready)
            v->notify(v, &v->q[val]);
        return 0;
    case 0x064:
        v->int_status &= ~(uint32_t)val;
        virtio_irq(v);
        return 0;
    case 0x070:
        if (val == 0) {
            reset(v);
            virtio_irq(v);
        }
        else
            v->status = (uint32_t)val | (v->status & STATUS_NEEDS_RESET);
        return 0;
    case 0x080: if (q) set_half(&q->desc, false, val); return 0;
    case 0x084: if (q) set_half(&q->desc, true, val); return 0;
    case 0x090: if (q) set_half(&q->avail, false, val); return 0;
    case 0x094: if (q) set_half(&q->avail, true, val); return 0;
    case 0x0a0: if (q) set_half(&q->used, false, val); return 0;
    case 0x0a4: if (q) set_half(&q->used, true, val); return 0;
    }
    return 0;
}

static void mmio_reset(struct board_dev *d)
{
    struct virtio_mmio *v = (struct virtio_mmio *)d;
    reset(v);
    virtio_irq(v);
}

/* The transport's registers and its queue; then the device's own. */
static int mmio_save(struct board_dev *d, struct snap_buf *o)
{
    struct virtio_mmio *v = (struct virtio_mmio *)d;
    snap_put_u32(o, v->device_id);
    snap_put_u64(o, v->driver_features);
    const uint32_t r[] = { v->dev_features_sel, v->drv_features_sel, v->queue_sel, v->status, v->int_status,
                           v->config_gen, v->nq };
    for (unsigned i = 0; i < sizeof r / sizeof r[0]; i++)
        snap_put_u32(o, r[i]);
    for (unsigned i = 0; i < v->nq; i++) {
        const struct virtq *q = &v->q[i];
        snap_put_u32(o, q->num);
        snap_put_u8(o, q->ready);
        snap_put_u64(o, q->desc);
        snap_put_u64(o, q->avail);
        snap_put_u64(o, q->used);
        snap_put_u16(o, q->last_avail);
    }
    return v->save ? v->save(v, o) : 0;
}

static int mmio_load(struct board_dev *d, struct snap_cur *in)
{
    struct virtio_mmio *v = (struct virtio_mmio *)d;
    if (snap_get_u32(in) != v->device_id)
        return -1;
    v->driver_features = snap_get_u64(in) & v->features;
    v->dev_features_sel = snap_get_u32(in);
    v->drv_features_sel = snap_get_u32(in);
    v->queue_sel = snap_get_u32(in);
    v->status = snap_get_u32(in) & 0xff;
    v->int_status = snap_get_u32(in) & 3;
    v->config_gen = snap_get_u32(in);
    if (snap_get_u32(in) != v->nq)
        return -1;
    for (unsigned i = 0; i < v->nq; i++) {
        struct virtq *q = &v->q[i];
        q->num = snap_get_u32(in);
        q->ready = snap_get_u8(in) != 0;
        q->desc = snap_get_u64(in);
        q->avail = snap_get_u64(in);
        q->used = snap_get_u64(in);
        q->last_avail = snap_get_u16(in);
        if (q->num > VIRTIO_QUEUE_MAX || (q->num & (q->num - 1)))
            return -1;
    }
    if (in->bad || (v->load && v->load(v, in) != 0))
        return -1;
    virtio_irq(v);
    return 0;
}

void virtio_mmio_init(struct virtio_mmio *v, struct board *b, const char *name, uint64_t base, uint32_t device_id,
                      uint64_t features, unsigned nq)
{
    v->irq = BOARD_VIRTIO_IRQ + (unsigned)((base - BOARD_VIRTIO_BASE) / 0x1000);
    v->dev = (struct board_dev){ .name = name, .base = base, .size = 0x1000, .read = mmio_read, .write = mmio_write,
                               .board = b, .reset = mmio_reset, .save = mmio_save, .load = mmio_load };
    v->device_id = device_id;
    v->features = features | VIRTIO_F_VERSION_1;
    v->nq = nq;
}

static int empty_config(struct virtio_mmio *v, uint64_t off, unsigned len, uint64_t *val)
{
    *val = 0;
    return 0;
}

static void empty_notify(struct virtio_mmio *v, struct virtq *q)
{
}

bool board_virtio_fill(struct board *b)
{
    for (unsigned slot = 0; slot < BOARD_VIRTIO_SLOTS; slot++) {
        uint64_t base = BOARD_VIRTIO_BASE + 0x1000ull * slot;
        bool taken = false;
        for (unsigned i = 0; i < b->ndev; i++)
            taken |= b->dev[i]->base == base && b->dev[i]->size;
        if (taken)
            continue;
        /* An empty transport: magic, version 2, device id 0 (none), as
         * QEMU's virt has in every slot without a device. */
        struct virtio_mmio *v = calloc(1, sizeof *v);
        if (!v)
            return false;
        virtio_mmio_init(v, b, "virtio", base, 0, 0, 0);
        v->config_read = empty_config;
        v->notify = empty_notify;
        if (!board_add_dev(b, &v->dev))
            return false;
    }
    return true;
}
