/*
 * virtio.h — the virtio-mmio transport (version 2, "modern") and split
 * virtqueues, which the board's virtio devices share (sys/virtio.c).
 * Spec: Virtual I/O Device (VIRTIO) Version 1.1, 4.2 (virtio over MMIO)
 * and 2.6 (split virtqueues).
 */
#ifndef MVM_VIRTIO_H
#define MVM_VIRTIO_H

#include "sys/board.h"

#define VIRTIO_QUEUE_MAX 256      /* QueueNumMax */
#define VIRTIO_F_VERSION_1 (1ull << 32)

struct virtq {
    uint32_t num;                 /* QueueNum */
    bool ready;
    uint64_t desc, avail, used;   /* guest-physical addresses of the three parts */
    uint16_t last_avail;          /* the next avail ring entry to take */
};

/* One buffer of a descriptor chain. */
struct virtq_buf {
    uint64_t addr;
    uint32_t len;
    bool writable;                /* device-writable (VIRTQ_DESC_F_WRITE) */
};
#define VIRTQ_CHAIN_MAX 64

struct virtio_mmio {
    struct board_dev dev;
    uint32_t device_id;
    uint64_t features;            /* offered (VERSION_1 always) */
    uint64_t driver_features;
    uint32_t dev_features_sel, drv_features_sel, queue_sel;
    uint32_t status, int_status, config_gen;
    unsigned irq;                 /* its PLIC source */
    struct virtq q[1];
    unsigned nq;
    /* The device: its configuration space (from offset 0x100), a queue
     * the driver notified, a reset. */
    int (*config_read)(struct virtio_mmio *v, uint64_t off, unsigned len, uint64_t *val);
    void (*notify)(struct virtio_mmio *v, struct virtq *q);
    void (*reset)(struct virtio_mmio *v);
    /* The device's own state after the transport's, for a snapshot (as
     * board_dev's save and load; NULL: none). */
    int (*save)(struct virtio_mmio *v, struct snap_buf *out);
    int (*load)(struct virtio_mmio *v, struct snap_cur *in);
};

void virtio_mmio_init(struct virtio_mmio *v, struct board *b, const char *name, uint64_t base, uint32_t device_id,
                      uint64_t features, unsigned nq);
/* The next chain the driver made available in q: its head and up to
 * VIRTQ_CHAIN_MAX buffers (*n of them). 1: one was taken; 0: none is
 * waiting; -1: the driver's rings are broken (the device then needs a
 * reset, and says so in its status). */
int virtq_pop(struct virtio_mmio *v, struct virtq *q, uint16_t *head, struct virtq_buf *buf, unsigned *n);
/* Gives chain head back, with len bytes written into it, and raises the
 * used-buffer interrupt status. */
void virtq_push(struct virtio_mmio *v, struct virtq *q, uint16_t head, uint32_t len);

/* Guest-physical memory, for the devices: 0 or -1 (not RAM). */
int virtio_read(struct virtio_mmio *v, uint64_t addr, void *buf, size_t len);
int virtio_write(struct virtio_mmio *v, uint64_t addr, const void *buf, size_t len);

/* Fills the virtio-mmio slots no device took with empty transports
 * (device id 0); false if out of memory. */
bool board_virtio_fill(struct board *b);

/* The entropy device (sys/virtio_rng.c); NULL if out of memory. */
struct board_dev *board_virtio_rng_new(struct board *b, uint64_t base);

/* The block device (sys/virtio_blk.c) on the host file open at fd (read-
 * only for read_only or overlay, else read-write), which it keeps (and
 * closes, also on failure); name is the file's in messages. NULL with why. */
struct board_dev *board_virtio_blk_new(struct board *b, uint64_t base, int fd, const char *name, bool read_only,
                                       bool overlay, char *why, size_t whylen);

#endif
