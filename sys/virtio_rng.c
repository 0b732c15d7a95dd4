/*
 * virtio_rng.c — a virtio entropy device (virtio 1.1, 5.4): every
 * device-writable buffer the driver makes available is filled with bytes
 * from the host's random source (getrandom).
 */
#include "sys/virtio.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>

static int rng_config(struct virtio_mmio *v, uint64_t off, unsigned len, uint64_t *val)
{
    *val = 0;     /* no configuration space */
    return 0;
}

/* Fills len bytes at guest address addr; false if they are not RAM or
 * the host gave no randomness. */
static bool fill(struct virtio_mmio *v, uint64_t addr, uint32_t len)
{
    uint8_t buf[256];
    for (uint32_t done = 0; done < len;) {
        size_t n = len - done < sizeof buf ? len - done : sizeof buf;
        ssize_t got = getrandom(buf, n, 0);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0 || virtio_write(v, addr + done, buf, (size_t)got) != 0)
            return false;
        done += (uint32_t)got;
    }
    return true;
}

static void rng_notify(struct virtio_mmio *v, struct virtq *q)
{
    struct virtq_buf b[VIRTQ_CHAIN_MAX];
    uint16_t head;
    unsigned n;
    while (virtq_pop(v, q, &head, b, &n) == 1) {
        uint32_t written = 0;
        for (unsigned i = 0; i < n; i++) {
            if (!b[i].writable || !fill(v, b[i].addr, b[i].len))
                break;
            written += b[i].len;
        }
        virtq_push(v, q, head, written);
    }
}

struct board_dev *board_virtio_rng_new(struct board *b, uint64_t base)
{
    struct virtio_mmio *v = calloc(1, sizeof *v);
    if (!v)
        return NULL;
    virtio_mmio_init(v, b, "virtio-rng", base, 4, 0, 1);
    v->config_read = rng_config;
    v->notify = rng_notify;
    return &v->dev;
}
