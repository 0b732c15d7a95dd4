/*
 * virtio_blk.c — a virtio block device (virtio 1.1, 5.2) on a host file:
 * reads, writes, flushes and the device id, in 512-byte sectors. The
 * file may be read-only (VIRTIO_BLK_F_RO: writes fail), or used under a
 * copy-on-write overlay (--disk FILE,snapshot): writes go to an unlinked
 * temporary file and the disk file is never changed, as QEMU's -snapshot.
 */
#include "sys/virtio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "host/host.h"
#include "snap/format.h"
#include "host/thread.h"

#define SECTOR 512u
#define BLK_F_SEG_MAX (1ull << 2)
#define BLK_F_RO (1ull << 5)
#define BLK_F_FLUSH (1ull << 9)

enum { T_IN = 0, T_OUT = 1, T_FLUSH = 4, T_GET_ID = 8 };
enum { S_OK = 0, S_IOERR = 1, S_UNSUPP = 2 };

struct blk {
    struct virtio_mmio v;
    int fd, overlay;          /* overlay: -1, or the file written sectors go to */
    uint8_t *written;         /* overlay: a bit per sector that is in it */
    uint64_t sectors;
    bool ro;
};

static int blk_config(struct virtio_mmio *v, uint64_t off, unsigned len, uint64_t *val)
{
    struct blk *k = (struct blk *)v;
    /* struct virtio_blk_config: capacity (le64) at 0, size_max at 8,
     * seg_max at 12; the rest reads as zero. */
    uint8_t cfg[16] = { 0 };
    st64(cfg, k->sectors);
    st32(cfg + 12, VIRTQ_CHAIN_MAX - 2);
    *val = 0;
    for (unsigned i = 0; i < len && off + i < sizeof cfg; i++)
        *val |= (uint64_t)cfg[off + i] << (8 * i);
    return 0;
}

static bool in_overlay(const struct blk *k, uint64_t s)
{
    return k->written && (k->written[s / 8] >> (s % 8)) & 1;
}

/* Sector s is now in the overlay (there is one). */
static void put_in_overlay(struct blk *k, uint64_t s) { k->written[s / 8] |= (uint8_t)(1u << (s % 8)); }

/* Moves len bytes (whole sectors) at sector s between the disk and buf. */
static bool disk_io(struct blk *k, uint64_t s, uint8_t *buf, size_t len, bool write)
{
    for (size_t done = 0; done < len;) {
        uint64_t sector = s + done / SECTOR;
        /* Under an overlay each sector comes from where it is now. */
        size_t n = k->written ? SECTOR : len - done;
        int fd = write || in_overlay(k, sector) ? (k->written ? k->overlay : k->fd) : k->fd;
        ssize_t r = write ? pwrite(fd, buf + done, n, (off_t)(sector * SECTOR))
                          : pread(fd, buf + done, n, (off_t)(sector * SECTOR));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return false;
        if (write && k->written)
            put_in_overlay(k, sector);
        done += (size_t)r;
    }
    return true;
}

/* Up to this many pieces of guest memory go in one preadv or pwritev. */
#define IOV_BATCH 256

/* Moves the pieces iov[0..n) (whole sectors) between the disk at sector
 * s and guest memory: one system call for all of them without an
 * overlay, sector by sector (each where it is now) with one. */
static bool disk_iov(struct blk *k, uint64_t s, struct iovec *iov, int n, bool to_disk)
{
    if (k->written) {
        for (int i = 0; i < n; i++) {
            if (!disk_io(k, s, iov[i].iov_base, iov[i].iov_len, to_disk))
                return false;
            s += iov[i].iov_len / SECTOR;
        }
        return true;
    }
    off_t at = (off_t)(s * SECTOR);
    while (n > 0) {
        ssize_t r = to_disk ? pwritev(k->fd, iov, n, at) : preadv(k->fd, iov, n, at);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return false;
        at += r;
        /* A short transfer: go on from where it stopped. */
        while (n > 0 && (size_t)r >= iov->iov_len) {
            r -= (ssize_t)iov->iov_len;
            iov++;
            n--;
        }
        if (n > 0) {
            iov->iov_base = (uint8_t *)iov->iov_base + r;
            iov->iov_len -= (size_t)r;
        }
    }
    return true;
}

/* Moves the pieces iov[0..n) between the disk at sector s and guest
 * memory, IOV_BATCH at a time. */
static bool disk_iov_all(struct blk *k, uint64_t s, struct iovec *iov, int n, bool to_disk)
{
    for (int i = 0; i < n;) {
        int m = n - i < IOV_BATCH ? n - i : IOV_BATCH;
        uint64_t next = s;
        for (int j = 0; j < m; j++)
            next += iov[i + j].iov_len / SECTOR;
        if (!disk_iov(k, s, iov + i, m, to_disk))
            return false;
        s = next;
        i += m;
    }
    return true;
}

/* A request at least this long (and in whole, aligned sectors, with no
 * overlay) is split between this thread and a helper: the copy, and the
 * first touch of the guest pages it lands in (a fault and the host
 * zeroing them), run on two host threads, as a host's storage stack
 * would. */
#define SPLIT_MIN (4u << 20)

struct dma_half {
    struct blk *k;
    uint64_t s;
    struct iovec *iov;
    int n;
    bool to_disk, ok;
};

static void dma_half_main(void *arg)
{
    struct dma_half *h = arg;
    h->ok = disk_iov_all(h->k, h->s, h->iov, h->n, h->to_disk);
}

static bool dma_split(struct blk *k, uint64_t addr, uint32_t len, uint64_t s, bool to_disk)
{
    struct board *b = k->v.dev.board;
    size_t max = len / MEM_PAGE_SIZE + 2;
    struct iovec *iov = malloc(max * sizeof *iov);
    if (!iov)
        return false;
    int n = 0, mid = -1;
    uint64_t done = 0, mid_sector = s;
    while (done < len) {
        uint64_t a = addr + done, in_page = MEM_PAGE_SIZE - (a & (MEM_PAGE_SIZE - 1));
        uint64_t chunk = len - done < in_page ? len - done : in_page;
        int err;
        uint8_t *page = mem_translate(b->phys, a & MEM_PAGE_MASK, to_disk ? MEM_R : MEM_W, &err);
        if (!page) {
            free(iov);
            return false;
        }
        if (mid < 0 && done >= len / 2) {
            mid = n;
            mid_sector = s + done / SECTOR;
        }
        iov[n++] = (struct iovec){ page + (a & (MEM_PAGE_SIZE - 1)), (size_t)chunk };
        done += chunk;
    }
    struct dma_half h = { k, mid_sector, iov + mid, n - mid, to_disk, false };
    struct host_thread *t = host_thread_start(dma_half_main, &h);
    bool ok = disk_iov_all(k, s, iov, t ? mid : n, to_disk);
    if (t) {
        host_thread_join(t);
        ok = ok && h.ok;
    }
    free(iov);
    return ok;
}

/*
 * Moves len bytes between guest memory at addr and the disk at sector s,
 * straight into (or out of) the guest's RAM pages, many pages a system
 * call: no bounce buffer, whose fresh pages would cost as much as the
 * guest's. A write into a page code was decoded from drops those blocks,
 * as any write. A sector that straddles two pages (an unaligned buffer)
 * goes through a bounce buffer.
 */
static bool dma(struct blk *k, uint64_t addr, uint32_t len, uint64_t s, bool to_disk)
{
    struct board *b = k->v.dev.board;
    uint64_t ram_end = BOARD_RAM_BASE + b->cfg.ram_bytes;
    if (addr < BOARD_RAM_BASE || addr > ram_end || len > ram_end - addr)
        return false;
    if (!k->written && len >= SPLIT_MIN && addr % SECTOR == 0 && len % SECTOR == 0)
        return dma_split(k, addr, len, s, to_disk);
    uint8_t bounce[SECTOR];
    struct iovec iov[IOV_BATCH];
    int n = 0;
    uint64_t done = 0, first = s;     /* the sector iov[0] starts at */
    while (done < len) {
        uint64_t a = addr + done, in_page = MEM_PAGE_SIZE - (a & (MEM_PAGE_SIZE - 1));
        uint64_t chunk = len - done < in_page ? len - done : in_page, whole = chunk - chunk % SECTOR;
        if (whole) {
            int err;
            uint8_t *page = mem_translate(b->phys, a & MEM_PAGE_MASK, to_disk ? MEM_R : MEM_W, &err);
            if (!page)
                return false;
            if (n == IOV_BATCH) {
                if (!disk_iov(k, first, iov, n, to_disk))
                    return false;
                first = s + done / SECTOR;
                n = 0;
            }
            iov[n++] = (struct iovec){ page + (a & (MEM_PAGE_SIZE - 1)), (size_t)whole };
            done += whole;
            continue;
        }
        /* Less than a sector left in this page: the sector straddles. */
        if (n && !disk_iov(k, first, iov, n, to_disk))
            return false;
        n = 0;
        uint64_t sec = s + done / SECTOR;
        if (to_disk) {
            if (virtio_read(&k->v, a, bounce, SECTOR) != 0 || !disk_io(k, sec, bounce, SECTOR, true))
                return false;
        } else if (!disk_io(k, sec, bounce, SECTOR, false) || virtio_write(&k->v, a, bounce, SECTOR) != 0) {
            return false;
        }
        done += SECTOR;
        first = s + done / SECTOR;
    }
    return !n || disk_iov(k, first, iov, n, to_disk);
}

static uint8_t request(struct blk *k, struct virtq_buf *b, unsigned n, uint32_t *written)
{
    uint8_t hdr[16];
    if (n < 2 || b[0].writable || b[0].len < 16 || virtio_read(&k->v, b[0].addr, hdr, 16) != 0)
        return S_IOERR;
    uint32_t type = ld32(hdr);
    uint64_t sector = ld64(hdr + 8);
    switch (type) {
    case T_IN: case T_OUT: {
        uint64_t s = sector;
        for (unsigned i = 1; i + 1 < n; i++) {
            if (b[i].writable != (type == T_IN) || b[i].len % SECTOR || s > k->sectors ||
                b[i].len / SECTOR > k->sectors - s)
                return S_IOERR;
            if (type == T_OUT && k->ro)
                return S_IOERR;
            if (!dma(k, b[i].addr, b[i].len, s, type == T_OUT))
                return S_IOERR;
            if (type == T_IN)
                *written += b[i].len;
            s += b[i].len / SECTOR;
        }
        return S_OK;
    }
    case T_FLUSH:
        return k->ro || k->written || fdatasync(k->fd) == 0 ? S_OK : S_IOERR;
    case T_GET_ID: {
        static const char id[20] = "mvm-virtio-blk";
        if (!b[1].writable || b[1].len < sizeof id || virtio_write(&k->v, b[1].addr, id, sizeof id) != 0)
            return S_IOERR;
        *written += sizeof id;
        return S_OK;
    }
    }
    return S_UNSUPP;
}

static void blk_notify(struct virtio_mmio *v, struct virtq *q)
{
    struct blk *k = (struct blk *)v;
    struct virtq_buf b[VIRTQ_CHAIN_MAX];
    uint16_t head;
    unsigned n;
    while (virtq_pop(v, q, &head, b, &n) == 1) {
        uint32_t written = 0;
        uint8_t status = request(k, b, n, &written);
        /* The status byte: the chain's last buffer, device-writable. */
        if (!b[n - 1].writable || !b[n - 1].len || virtio_write(v, b[n - 1].addr, &status, 1) != 0)
            written = 0;
        else
            written++;
        virtq_push(v, q, head, written);
    }
}

/* Its size (a restore must find a disk of the same size), and under an
 * overlay the sectors written so far: their numbers and bytes. (The disk
 * file itself is not saved: a restore opens it again, and it must be as
 * it was.) */
static int blk_save(struct virtio_mmio *v, struct snap_buf *o)
{
    struct blk *k = (struct blk *)v;
    uint64_t n = 0;
    for (uint64_t s = 0; k->written && s < k->sectors; s++)
        n += in_overlay(k, s);
    if (n > (SNAP_SECTION_MAX - 4096) / (SECTOR + 8))
        return -1;      /* more than one section holds */
    snap_put_u64(o, k->sectors);
    snap_put_u64(o, n);
    uint8_t buf[SECTOR];
    for (uint64_t s = 0; n && s < k->sectors; s++)
        if (in_overlay(k, s)) {
            if (pread(k->overlay, buf, SECTOR, (off_t)(s * SECTOR)) != (ssize_t)SECTOR)
                return -1;
            snap_put_u64(o, s);
            snap_put_bytes(o, buf, SECTOR);
        }
    return 0;
}

static int blk_load(struct virtio_mmio *v, struct snap_cur *in)
{
    struct blk *k = (struct blk *)v;
    if (snap_get_u64(in) != k->sectors)
        return -1;      /* another disk */
    uint64_t n = snap_get_u64(in);
    if (n && !k->written)
        return -1;      /* written sectors, and no overlay to put them in */
    for (uint64_t i = 0; i < n && !in->bad; i++) {
        uint64_t s = snap_get_u64(in);
        const uint8_t *data = snap_get_bytes(in, SECTOR);
        if (!data || s >= k->sectors || pwrite(k->overlay, data, SECTOR, (off_t)(s * SECTOR)) != (ssize_t)SECTOR)
            return -1;
        put_in_overlay(k, s);
    }
    return in->bad ? -1 : 0;
}

static void blk_free(struct board_dev *d)
{
    struct blk *k = (struct blk *)d;
    close(k->fd);
    if (k->overlay >= 0)
        close(k->overlay);
    free(k->written);
    free(k);
}

struct board_dev *board_virtio_blk_new(struct board *b, uint64_t base, int fd, const char *name, bool read_only,
                                       bool overlay, char *why, size_t whylen)
{
    struct blk *k = calloc(1, sizeof *k);
    if (!k) {
        snprintf(why, whylen, "out of host memory");
        close(fd);
        return NULL;
    }
    k->overlay = -1;
    k->ro = read_only;
    k->fd = fd;
    struct stat st;
    if (fstat(k->fd, &st) != 0) {
        snprintf(why, whylen, "%s: %s", name, strerror(errno));
        goto fail;
    }
    if (!S_ISREG(st.st_mode) || st.st_size < (off_t)SECTOR) {
        snprintf(why, whylen, "%s: %s", name, S_ISREG(st.st_mode) ? "smaller than one 512-byte sector" : "not a regular file");
        goto fail;
    }
    k->sectors = (uint64_t)st.st_size / SECTOR;
    if (overlay) {
        char tmpl[] = "/tmp/mvm-overlay-XXXXXX";
        if ((k->overlay = mkstemp(tmpl)) < 0 || unlink(tmpl) != 0 || !(k->written = calloc(k->sectors / 8 + 1, 1))) {
            snprintf(why, whylen, "%s: cannot make its overlay: %s", name, strerror(errno));
            goto fail;
        }
    }
    virtio_mmio_init(&k->v, b, "virtio-blk", base, 2,
                     BLK_F_SEG_MAX | BLK_F_FLUSH | (read_only ? BLK_F_RO : 0), 1);
    k->v.config_read = blk_config;
    k->v.notify = blk_notify;
    k->v.dev.free = blk_free;
    k->v.save = blk_save;
    k->v.load = blk_load;
    return &k->v.dev;
fail:
    if (k->fd >= 0)
        close(k->fd);
    if (k->overlay >= 0)
        close(k->overlay);
    free(k);
    return NULL;
}
