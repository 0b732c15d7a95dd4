/*
 * sys_file.c — the file system calls: arguments are copied in from guest
 * memory, the work is done by the sandbox (user/fs.c), and results are
 * written back in the riscv64 Linux layouts (struct stat, statx, statfs,
 * linux_dirent64, pollfd ...), field by field in little-endian order so
 * that a big-endian host writes the same bytes.
 *
 * Data moves through a bounce buffer in chunks of CHUNK bytes; only the
 * part of a guest buffer that is mapped with the needed permission takes
 * part, so a transfer stops short (or fails with EFAULT) where the guest's
 * memory ends, as Linux's copy_to_user/copy_from_user do.
 */
#include <stdlib.h>
#include <string.h>

#include "host/fs.h"
#include "host/host.h"
#include "mem/mem.h"
#include "user/fs.h"
#include "user/lx.h"
#include "user/proc.h"

#define CHUNK (64 * 1024)
#define PIPE_BUF 4096          /* what a pipe that polls writable surely takes */
#define MAX_RW 0x7ffff000ull    /* Linux's MAX_RW_COUNT: one call moves at most this */
#define IOV_MAX 1024

static int path_in(struct proc *p, uint64_t va, char *buf)
{
    long n = mem_read_str(p->as, va, buf, FS_PATH_MAX);
    return n < 0 ? (int)n : 0;
}

/* How many bytes from va on (up to len) the guest can access with prot. */
static size_t accessible(struct proc *p, uint64_t va, size_t len, int prot)
{
    size_t ok = 0;
    while (ok < len) {
        uint64_t a = va + ok;
        if (a < va)
            break;
        int pr = mem_prot_at(p->as, a);
        if (pr < 0 || !(pr & prot))
            break;
        ok += MEM_PAGE_SIZE - (size_t)(a & (MEM_PAGE_SIZE - 1));
    }
    return ok < len ? ok : len;
}

/* ------------------------------------------------------------ data moves */


struct cursor {
    const struct seg *v;
    int n, i;
    uint64_t off;     /* into v[i] */
};

/* Bytes available from the cursor, up to max, before a fault (*fault set). */
static size_t span(struct proc *p, struct cursor c, size_t max, int prot, bool *fault)
{
    size_t got = 0;
    *fault = false;
    for (; c.i < c.n && got < max; c.i++, c.off = 0) {
        size_t want = c.v[c.i].len - c.off;
        if (want > max - got)
            want = max - got;
        size_t ok = accessible(p, c.v[c.i].va + c.off, want, prot);
        got += ok;
        if (ok < want) {
            *fault = true;
            break;
        }
    }
    return got;
}

static int copy(struct proc *p, struct cursor c, uint8_t *buf, size_t len, bool to_guest)
{
    while (len > 0 && c.i < c.n) {
        size_t k = c.v[c.i].len - c.off;
        if (k > len)
            k = len;
        uint64_t va = c.v[c.i].va + c.off;
        int r = to_guest ? mem_write(p->as, va, buf, k) : mem_read(p->as, va, buf, k);
        if (r < 0)
            return r;
        buf += k;
        len -= k;
        c.i++;
        c.off = 0;
    }
    return 0;
}

static void advance(struct cursor *c, size_t n)
{
    while (n > 0 && c->i < c->n) {
        size_t k = c->v[c->i].len - c->off;
        if (k > n) {
            c->off += n;
            return;
        }
        n -= k;
        c->i++;
        c->off = 0;
    }
}

/*
 * read/write (off < 0) or pread/pwrite (off >= 0) over guest segments.
 * Regular files are read until the request is met or the file ends; other
 * files give what one host read gives, as a pipe or terminal would.
 */
static long transfer(struct proc *p, int fd, const struct seg *v, int n, int64_t off, bool wr)
{
    struct fs_fd_info info;
    int r = fs_fd_info(p->fs, fd, &info);
    if (r < 0)
        return r;
    long sr;
    if (!wr && off < 0 && n > 0 && info.host_fd < 0 && sig_fd_read(p, fd, v[0].va, v[0].len, &sr))
        return sr;      /* a signalfd (user/signal.c) */
    bool regular = info.type == LX_S_IFREG || info.type == LX_S_IFBLK;
    uint64_t want = 0;
    for (int i = 0; i < n; i++)
        want += v[i].len;
    if (want == 0) {
        /* Still check the fd the way a zero-length call does. */
        uint8_t dummy;
        if (off >= 0)
            return wr ? fs_pwrite(p->fs, fd, &dummy, 0, (uint64_t)off) : fs_pread(p->fs, fd, &dummy, 0, (uint64_t)off);
        return wr ? fs_write(p->fs, fd, &dummy, 0) : fs_read(p->fs, fd, &dummy, 0);
    }
    if (!wr && !regular && info.host_fd >= 0 && !(info.flags & LX_O_NONBLOCK) &&
        (proc_live_threads(p) > 1 || sig_async(p))) {
        /* A pipe or terminal may block: wait for data without the run lock,
           so that other threads (maybe the writer) run meanwhile. */
        struct host_pollfd hp = { info.host_fd, LX_POLLIN, 0 };
        long pr = proc_poll(p, &hp, 1, -1);
        if (pr < 0)
            return pr;
    }
    /* A write to a full pipe, socket or terminal would block holding the
       run lock, and the reader may be one of our threads (or another
       process may want to signal us): wait for room without the lock, then
       write no more than is sure to fit (a pipe's free room, else
       PIPE_BUF). */
    bool wait_room = wr && !regular && info.host_fd >= 0 && !(info.flags & LX_O_NONBLOCK) &&
                     (proc_live_threads(p) > 1 || sig_async(p));
    uint8_t *buf = malloc(CHUNK);
    if (!buf)
        return -LX_ENOMEM;
    struct cursor c = { v, n, 0, 0 };
    uint64_t total = 0;
    long res = 0;
    while (total < want && total < MAX_RW) {
        bool fault;
        size_t limit = CHUNK;
        if (wait_room) {
            /* A pipe says how much room it has: no wait while there is
             * some; else wait, and write what surely fits. */
            long room = info.type == LX_S_IFIFO ? host_pipe_room(info.host_fd) : -1;
            if (room <= 0) {
                struct host_pollfd hp = { info.host_fd, LX_POLLOUT, 0 };
                long pr = proc_poll(p, &hp, 1, -1);
                if (pr < 0) {
                    res = pr;
                    break;
                }
                if (room == 0)
                    room = host_pipe_room(info.host_fd);
            }
            limit = room > 0 ? (room < CHUNK ? (size_t)room : CHUNK) : PIPE_BUF;
        }
        size_t len = span(p, c, limit, wr ? MEM_R : MEM_W, &fault);
        if (len == 0) {
            res = -LX_EFAULT;
            break;
        }
        long k;
        if (wr) {
            if ((r = copy(p, c, buf, len, false)) < 0) {
                res = r;
                break;
            }
            k = off >= 0 ? fs_pwrite(p->fs, fd, buf, len, (uint64_t)off + total) : fs_write(p->fs, fd, buf, len);
        } else {
            k = off >= 0 ? fs_pread(p->fs, fd, buf, len, (uint64_t)off + total) : fs_read(p->fs, fd, buf, len);
            if (k > 0 && (r = copy(p, c, buf, (size_t)k, true)) < 0) {
                res = r;
                break;
            }
        }
        if (k < 0) {
            res = k;
            if (k == -LX_EPIPE && wr)
                sys_signal_self(p, LX_SIGPIPE);
            break;
        }
        total += (uint64_t)k;
        advance(&c, (size_t)k);
        if (((size_t)k < len && !wait_room) || fault || (!wr && !regular))
            break;
    }
    free(buf);
    return total ? (long)total : res;
}

static long rw1(struct proc *p, const uint64_t *a, int64_t off, bool wr)
{
    struct seg s = { a[1], a[2] };
    return transfer(p, (int)a[0], &s, 1, off, wr);
}

long sys_iov_in(struct proc *p, uint64_t va, uint64_t cnt, struct seg **out, uint64_t *total_out)
{
    if ((int64_t)cnt < 0 || cnt > IOV_MAX)
        return -LX_EINVAL;
    struct seg *v = calloc(cnt ? cnt : 1, sizeof *v);
    if (!v)
        return -LX_ENOMEM;
    uint64_t total = 0;
    for (uint64_t i = 0; i < cnt; i++) {
        uint8_t b[16];
        int r = mem_read(p->as, va + 16 * i, b, 16);
        if (r < 0) {
            free(v);
            return r;
        }
        v[i].va = ld64(b);
        v[i].len = ld64(b + 8);
        if ((int64_t)v[i].len < 0 || (total += v[i].len) > INT64_MAX) {
            free(v);
            return -LX_EINVAL;
        }
    }
    *out = v;
    if (total_out)
        *total_out = total;
    return 0;
}

static long rwv(struct proc *p, const uint64_t *a, int64_t off, bool wr)
{
    struct seg *v;
    long r = sys_iov_in(p, a[1], a[2], &v, NULL);
    if (r < 0)
        return r;
    r = transfer(p, (int)a[0], v, (int)a[2], off, wr);
    free(v);
    return r;
}

long sys_read(struct proc *p, const uint64_t *a) { return rw1(p, a, -1, false); }
long sys_write(struct proc *p, const uint64_t *a) { return rw1(p, a, -1, true); }
long sys_readv(struct proc *p, const uint64_t *a) { return rwv(p, a, -1, false); }
long sys_writev(struct proc *p, const uint64_t *a) { return rwv(p, a, -1, true); }

long sys_pread64(struct proc *p, const uint64_t *a)
{
    return (int64_t)a[3] < 0 ? -LX_EINVAL : rw1(p, a, (int64_t)a[3], false);
}

long sys_pwrite64(struct proc *p, const uint64_t *a)
{
    return (int64_t)a[3] < 0 ? -LX_EINVAL : rw1(p, a, (int64_t)a[3], true);
}

/* On 64-bit Linux the offset of preadv/pwritev is a[3] alone. */
long sys_preadv(struct proc *p, const uint64_t *a)
{
    return (int64_t)a[3] < 0 ? -LX_EINVAL : rwv(p, a, (int64_t)a[3], false);
}

long sys_pwritev(struct proc *p, const uint64_t *a)
{
    return (int64_t)a[3] < 0 ? -LX_EINVAL : rwv(p, a, (int64_t)a[3], true);
}

long sys_sendfile(struct proc *p, const uint64_t *a)
{
    int out = (int)a[0], in = (int)a[1];
    uint64_t offp = a[2], count = a[3] > MAX_RW ? MAX_RW : a[3];
    int64_t off = -1;
    if (offp) {
        uint8_t b[8];
        int r = mem_read(p->as, offp, b, 8);
        if (r < 0)
            return r;
        off = (int64_t)ld64(b);
        if (off < 0)
            return -LX_EINVAL;
    }
    uint8_t *buf = malloc(CHUNK);
    if (!buf)
        return -LX_ENOMEM;
    uint64_t total = 0;
    long res = 0;
    while (total < count) {
        size_t len = count - total < CHUNK ? (size_t)(count - total) : CHUNK;
        long k = off >= 0 ? fs_pread(p->fs, in, buf, len, (uint64_t)off + total) : fs_read(p->fs, in, buf, len);
        if (k <= 0) {
            res = k;
            break;
        }
        long w = fs_write(p->fs, out, buf, (size_t)k);
        if (w < 0) {
            res = w;
            if (w == -LX_EPIPE)
                sys_signal_self(p, LX_SIGPIPE);
            /* What was read but not written goes back, for a seekable input. */
            if (off < 0)
                fs_lseek(p->fs, in, -k, LX_SEEK_CUR);
            break;
        }
        total += (uint64_t)w;
        if (w < k) {
            if (off < 0)
                fs_lseek(p->fs, in, w - k, LX_SEEK_CUR);
            break;
        }
    }
    free(buf);
    if (offp) {
        uint8_t b[8];
        st64(b, (uint64_t)off + total);
        int r = mem_write(p->as, offp, b, 8);
        if (r < 0)
            return r;
    }
    return total ? (long)total : res;
}

/* ------------------------------------------------------------ namespace */

long sys_openat(struct proc *p, const uint64_t *a)
{
    char path[FS_PATH_MAX];
    int r = path_in(p, a[1], path);
    return r < 0 ? r : fs_openat(p->fs, (int)a[0], path, (int)a[2], (uint32_t)a[3]);
}

long sys_close(struct proc *p, const uint64_t *a)
{
    return fs_close(p->fs, (int)a[0]);
}

long sys_close_range(struct proc *p, const uint64_t *a)
{
    uint32_t first = (uint32_t)a[0], last = (uint32_t)a[1];
    unsigned flags = (unsigned)a[2];
    if ((flags & ~6u) || first > last)
        return -LX_EINVAL;
    for (uint64_t fd = first; fd <= last && fd < FS_NOFILE_MAX; fd++) {
        if (flags & 4)      /* CLOSE_RANGE_CLOEXEC */
            fs_setfd(p->fs, (int)fd, LX_FD_CLOEXEC);
        else
            fs_close(p->fs, (int)fd);
    }
    return 0;
}

long sys_mkdirat(struct proc *p, const uint64_t *a)
{
    char path[FS_PATH_MAX];
    int r = path_in(p, a[1], path);
    return r < 0 ? r : fs_mkdirat(p->fs, (int)a[0], path, (uint32_t)a[2]);
}

long sys_mknodat(struct proc *p, const uint64_t *a)
{
    char path[FS_PATH_MAX];
    int r = path_in(p, a[1], path);
    return r < 0 ? r : fs_mknodat(p->fs, (int)a[0], path, (uint32_t)a[2]);
}

long sys_unlinkat(struct proc *p, const uint64_t *a)
{
    char path[FS_PATH_MAX];
    int r = path_in(p, a[1], path);
    return r < 0 ? r : fs_unlinkat(p->fs, (int)a[0], path, (int)a[2]);
}

long sys_symlinkat(struct proc *p, const uint64_t *a)
{
    char target[FS_PATH_MAX], path[FS_PATH_MAX];
    int r = path_in(p, a[0], target);
    if (r == 0)
        r = path_in(p, a[2], path);
    return r < 0 ? r : fs_symlinkat(p->fs, target, (int)a[1], path);
}

long sys_linkat(struct proc *p, const uint64_t *a)
{
    char from[FS_PATH_MAX], to[FS_PATH_MAX];
    int r = path_in(p, a[1], from);
    if (r == 0)
        r = path_in(p, a[3], to);
    return r < 0 ? r : fs_linkat(p->fs, (int)a[0], from, (int)a[2], to, (int)a[4]);
}

long sys_renameat2(struct proc *p, const uint64_t *a)
{
    char from[FS_PATH_MAX], to[FS_PATH_MAX];
    int r = path_in(p, a[1], from);
    if (r == 0)
        r = path_in(p, a[3], to);
    return r < 0 ? r : fs_renameat2(p->fs, (int)a[0], from, (int)a[2], to, (unsigned)a[4]);
}

long sys_readlinkat(struct proc *p, const uint64_t *a)
{
    char path[FS_PATH_MAX], target[FS_PATH_MAX];
    int r = path_in(p, a[1], path);
    if (r < 0)
        return r;
    if ((int)a[3] <= 0)
        return -LX_EINVAL;
    size_t size = (size_t)(int)a[3] < sizeof target ? (size_t)(int)a[3] : sizeof target;
    long n = fs_readlinkat(p->fs, (int)a[0], path, target, size);
    if (n <= 0)
        return n;
    r = mem_write(p->as, a[2], target, (size_t)n);
    return r < 0 ? r : n;
}

long sys_faccessat(struct proc *p, const uint64_t *a)
{
    char path[FS_PATH_MAX];
    int r = path_in(p, a[1], path);
    return r < 0 ? r : fs_faccessat(p->fs, (int)a[0], path, (int)a[2], 0);
}

long sys_faccessat2(struct proc *p, const uint64_t *a)
{
    char path[FS_PATH_MAX];
    int r = path_in(p, a[1], path);
    return r < 0 ? r : fs_faccessat(p->fs, (int)a[0], path, (int)a[2], (int)a[3]);
}

long sys_chdir(struct proc *p, const uint64_t *a)
{
    char path[FS_PATH_MAX];
    int r = path_in(p, a[0], path);
    return r < 0 ? r : fs_chdir(p->fs, path);
}

long sys_fchdir(struct proc *p, const uint64_t *a)
{
    return fs_fchdir(p->fs, (int)a[0]);
}

long sys_getcwd(struct proc *p, const uint64_t *a)
{
    char b[FS_PATH_MAX];
    size_t size = a[1] < sizeof b ? (size_t)a[1] : sizeof b;
    long n = fs_getcwd(p->fs, b, size);
    if (n < 0)
        return n;
    int r = mem_write(p->as, a[0], b, (size_t)n);
    return r < 0 ? r : n;
}

long sys_fchmod(struct proc *p, const uint64_t *a)
{
    return fs_fchmod(p->fs, (int)a[0], (uint32_t)a[1]);
}

long sys_fchmodat(struct proc *p, const uint64_t *a)
{
    char path[FS_PATH_MAX];
    int r = path_in(p, a[1], path);
    return r < 0 ? r : fs_fchmodat(p->fs, (int)a[0], path, (uint32_t)a[2], 0);
}

long sys_fchownat(struct proc *p, const uint64_t *a)
{
    char path[FS_PATH_MAX];
    int r = path_in(p, a[1], path);
    return r < 0 ? r : fs_fchownat(p->fs, (int)a[0], path, (uint32_t)a[2], (uint32_t)a[3], (int)a[4]);
}

long sys_fchown(struct proc *p, const uint64_t *a)
{
    return fs_fchownat(p->fs, (int)a[0], "", (uint32_t)a[1], (uint32_t)a[2], LX_AT_EMPTY_PATH);
}

long sys_utimensat(struct proc *p, const uint64_t *a)
{
    char path[FS_PATH_MAX];
    int64_t ts[4];
    if (a[2]) {
        uint8_t b[32];
        int r = mem_read(p->as, a[2], b, 32);
        if (r < 0)
            return r;
        for (int i = 0; i < 4; i++)
            ts[i] = (int64_t)ld64(b + 8 * i);
        for (int i = 1; i < 4; i += 2)
            if (ts[i] != LX_UTIME_NOW && ts[i] != LX_UTIME_OMIT && (ts[i] < 0 || ts[i] >= 1000000000))
                return -LX_EINVAL;
    }
    if (!a[1])
        return fs_utimensat(p->fs, (int)a[0], NULL, a[2] ? ts : NULL, (int)a[3]);
    int r = path_in(p, a[1], path);
    return r < 0 ? r : fs_utimensat(p->fs, (int)a[0], path, a[2] ? ts : NULL, (int)a[3]);
}

long sys_umask(struct proc *p, const uint64_t *a)
{
    return fs_umask(p->fs, (uint32_t)a[0]);
}

long sys_truncate(struct proc *p, const uint64_t *a)
{
    char path[FS_PATH_MAX];
    int r = path_in(p, a[0], path);
    if (r < 0)
        return r;
    if ((int64_t)a[1] < 0)
        return -LX_EINVAL;
    int fd = fs_openat(p->fs, LX_AT_FDCWD, path, LX_O_WRONLY, 0);
    if (fd < 0)
        return fd;
    r = fs_ftruncate(p->fs, fd, (int64_t)a[1]);
    fs_close(p->fs, fd);
    return r;
}

long sys_ftruncate(struct proc *p, const uint64_t *a)
{
    return fs_ftruncate(p->fs, (int)a[0], (int64_t)a[1]);
}

long sys_fallocate(struct proc *p, const uint64_t *a)
{
    struct fs_fd_info info;
    int r = fs_fd_info(p->fs, (int)a[0], &info);
    if (r < 0)
        return r;
    return -LX_EOPNOTSUPP;   /* glibc's posix_fallocate then writes the blocks itself */
}

long sys_fsync(struct proc *p, const uint64_t *a) { return fs_fsync(p->fs, (int)a[0], false); }
long sys_fdatasync(struct proc *p, const uint64_t *a) { return fs_fsync(p->fs, (int)a[0], true); }
long sys_sync(struct proc *p, const uint64_t *a) { return 0; }

long sys_fadvise64(struct proc *p, const uint64_t *a)
{
    struct fs_fd_info info;
    int r = fs_fd_info(p->fs, (int)a[0], &info);
    if (r < 0 || (info.flags & LX_O_PATH))
        return r < 0 ? r : -LX_EBADF;
    if (info.type == LX_S_IFIFO)
        return -LX_ESPIPE;
    if ((int64_t)a[3] < 0 || (int64_t)a[3] > 5)
        return -LX_EINVAL;
    return 0;   /* advice only */
}

/* -------------------------------------------------------------- stat */

static void put_stat(uint8_t b[128], const struct host_stat *st)
{
    memset(b, 0, 128);
    st64(b + 0, st->dev);
    st64(b + 8, st->ino);
    st32(b + 16, st->mode);
    st32(b + 20, st->nlink);
    st32(b + 24, st->uid);
    st32(b + 28, st->gid);
    st64(b + 32, st->rdev);
    st64(b + 48, (uint64_t)st->size);
    st32(b + 56, st->blksize);
    st64(b + 64, (uint64_t)st->blocks);
    st64(b + 72, (uint64_t)st->atime);
    st64(b + 80, st->atime_ns);
    st64(b + 88, (uint64_t)st->mtime);
    st64(b + 96, st->mtime_ns);
    st64(b + 104, (uint64_t)st->ctime);
    st64(b + 112, st->ctime_ns);
}

static uint32_t dev_major(uint64_t d) { return (uint32_t)(((d >> 8) & 0xfff) | ((d >> 32) & ~0xfffull)); }
static uint32_t dev_minor(uint64_t d) { return (uint32_t)((d & 0xff) | ((d >> 12) & ~0xffull)); }

static void put_statx(uint8_t b[256], const struct host_stat *st)
{
    memset(b, 0, 256);
    st32(b + 0, 0x7ff);         /* STATX_BASIC_STATS: no birth time */
    st32(b + 4, st->blksize);
    st32(b + 16, st->nlink);
    st32(b + 20, st->uid);
    st32(b + 24, st->gid);
    st16(b + 28, (uint16_t)st->mode);
    st64(b + 32, st->ino);
    st64(b + 40, (uint64_t)st->size);
    st64(b + 48, (uint64_t)st->blocks);
    st64(b + 64, (uint64_t)st->atime);
    st32(b + 72, st->atime_ns);
    st64(b + 96, (uint64_t)st->ctime);
    st32(b + 104, st->ctime_ns);
    st64(b + 112, (uint64_t)st->mtime);
    st32(b + 120, st->mtime_ns);
    st32(b + 128, dev_major(st->rdev));
    st32(b + 132, dev_minor(st->rdev));
    st32(b + 136, dev_major(st->dev));
    st32(b + 140, dev_minor(st->dev));
}

long sys_newfstatat(struct proc *p, const uint64_t *a)
{
    char path[FS_PATH_MAX] = "";
    int flags = (int)a[3];
    int r = 0;
    if (a[1] || !(flags & LX_AT_EMPTY_PATH))
        r = path_in(p, a[1], path);
    struct host_stat st;
    if (r < 0 || (r = fs_fstatat(p->fs, (int)a[0], path, flags & ~LX_AT_STATX_SYNC_TYPE, &st)) < 0)
        return r;
    uint8_t b[128];
    put_stat(b, &st);
    return mem_write(p->as, a[2], b, sizeof b);
}

long sys_fstat(struct proc *p, const uint64_t *a)
{
    struct host_stat st;
    int r = fs_fstatat(p->fs, (int)a[0], "", LX_AT_EMPTY_PATH, &st);
    if (r < 0)
        return r;
    uint8_t b[128];
    put_stat(b, &st);
    return mem_write(p->as, a[1], b, sizeof b);
}

long sys_statx(struct proc *p, const uint64_t *a)
{
    char path[FS_PATH_MAX] = "";
    int flags = (int)a[2];
    int r = 0;
    if ((flags & LX_AT_STATX_SYNC_TYPE) == LX_AT_STATX_SYNC_TYPE)
        return -LX_EINVAL;
    if ((uint32_t)a[3] & 0x80000000u)       /* STATX__RESERVED */
        return -LX_EINVAL;
    if (a[1] || !(flags & LX_AT_EMPTY_PATH))
        r = path_in(p, a[1], path);
    struct host_stat st;
    if (r < 0 || (r = fs_fstatat(p->fs, (int)a[0], path, flags & ~LX_AT_STATX_SYNC_TYPE, &st)) < 0)
        return r;
    uint8_t b[256];
    put_statx(b, &st);
    return mem_write(p->as, a[4], b, sizeof b);
}

static long put_statfs(struct proc *p, uint64_t va, const struct host_statfs *sf)
{
    uint8_t b[120];
    memset(b, 0, sizeof b);
    st64(b + 0, sf->type);
    st64(b + 8, sf->bsize);
    st64(b + 16, sf->blocks);
    st64(b + 24, sf->bfree);
    st64(b + 32, sf->bavail);
    st64(b + 40, sf->files);
    st64(b + 48, sf->ffree);
    st64(b + 64, sf->namelen);
    st64(b + 72, sf->frsize);
    st64(b + 80, sf->flags);
    return mem_write(p->as, va, b, sizeof b);
}

long sys_statfs(struct proc *p, const uint64_t *a)
{
    char path[FS_PATH_MAX];
    struct host_statfs sf;
    int r = path_in(p, a[0], path);
    if (r < 0 || (r = fs_statfs(p->fs, LX_AT_FDCWD, path, &sf)) < 0)
        return r;
    return put_statfs(p, a[1], &sf);
}

long sys_fstatfs(struct proc *p, const uint64_t *a)
{
    struct host_statfs sf;
    int r = fs_statfs(p->fs, (int)a[0], NULL, &sf);
    return r < 0 ? r : put_statfs(p, a[1], &sf);
}

long sys_getdents64(struct proc *p, const uint64_t *a)
{
    size_t size = a[2] < CHUNK ? (size_t)a[2] : CHUNK;
    /* Entries read are gone from the stream: only read what fits the guest's buffer. */
    size_t ok = accessible(p, a[1], size, MEM_W);
    if (size && !ok)
        return -LX_EFAULT;
    uint8_t *buf = malloc(ok ? ok : 1);
    if (!buf)
        return -LX_ENOMEM;
    long n = fs_getdents64(p->fs, (int)a[0], buf, ok);
    if (n > 0) {
        int r = mem_write(p->as, a[1], buf, (size_t)n);
        if (r < 0)
            n = r;
    }
    free(buf);
    return n;
}

long sys_lseek(struct proc *p, const uint64_t *a)
{
    return (long)fs_lseek(p->fs, (int)a[0], (int64_t)a[1], (int)a[2]);
}

/* ------------------------------------------------------- fd operations */

long sys_dup(struct proc *p, const uint64_t *a)
{
    return fs_dup(p->fs, (int)a[0], 0, false);
}

long sys_dup3(struct proc *p, const uint64_t *a)
{
    return fs_dup3(p->fs, (int)a[0], (int)a[1], (int)a[2]);
}

long sys_pipe2(struct proc *p, const uint64_t *a)
{
    int fds[2];
    int r = fs_pipe2(p->fs, fds, (int)a[1]);
    if (r < 0)
        return r;
    uint8_t b[8];
    st32(b, (uint32_t)fds[0]);
    st32(b + 4, (uint32_t)fds[1]);
    if ((r = mem_write(p->as, a[0], b, 8)) < 0) {
        fs_close(p->fs, fds[0]);
        fs_close(p->fs, fds[1]);
    }
    return r;
}

static long lock(struct proc *p, int fd, int cmd, uint64_t va)
{
    struct fs_fd_info info;
    int r = fs_fd_info(p->fs, fd, &info);
    if (r < 0)
        return r;
    if ((info.flags & LX_O_PATH) || info.host_fd < 0)
        return -LX_EBADF;
    uint8_t b[32];
    if ((r = mem_read(p->as, va, b, 32)) < 0)
        return r;
    int type = (int16_t)ld16(b), whence = (int16_t)ld16(b + 2), pid = 0;
    int64_t start = (int64_t)ld64(b + 8), len = (int64_t)ld64(b + 16);
    int acc = info.flags & LX_O_ACCMODE;
    if (cmd != LX_F_GETLK && ((type == LX_F_RDLCK && acc == LX_O_WRONLY) || (type == LX_F_WRLCK && acc == LX_O_RDONLY)))
        return -LX_EBADF;
    if ((r = host_lock(info.host_fd, cmd, &type, whence, &start, &len, &pid)) < 0)
        return r;
    if (cmd != LX_F_GETLK)
        return 0;
    st16(b, (uint16_t)type);
    if (type != LX_F_UNLCK) {
        st16(b + 2, LX_SEEK_SET);
        st64(b + 8, (uint64_t)start);
        st64(b + 16, (uint64_t)len);
        /* A lock held by another host process: its pid means nothing here. */
        st32(b + 24, (uint32_t)(pid ? -1 : 0));
    }
    return mem_write(p->as, va, b, 32);
}

long sys_fcntl(struct proc *p, const uint64_t *a)
{
    int fd = (int)a[0], cmd = (int)a[1];
    uint64_t arg = a[2];
    int fl = fs_getfl(p->fs, fd);
    if (fl < 0)
        return fl;
    bool opath = fl & LX_O_PATH;
    switch (cmd) {
    case LX_F_DUPFD:
    case LX_F_DUPFD_CLOEXEC:
        if (arg > INT32_MAX)
            return -LX_EINVAL;
        return fs_dup(p->fs, fd, (int)arg, cmd == LX_F_DUPFD_CLOEXEC);
    case LX_F_GETFD:
        return fs_getfd(p->fs, fd);
    case LX_F_SETFD:
        return fs_setfd(p->fs, fd, (int)arg);
    case LX_F_GETFL:
        return fl;
    }
    if (opath)
        return -LX_EBADF;
    switch (cmd) {
    case LX_F_SETFL:
        return fs_setfl(p->fs, fd, (int)arg);
    case LX_F_GETLK:
    case LX_F_SETLK:
    case LX_F_SETLKW:
        return lock(p, fd, cmd, arg);
    case LX_F_GETPIPE_SZ: {
        struct fs_fd_info info;
        fs_fd_info(p->fs, fd, &info);
        return info.type == LX_S_IFIFO ? 65536 : -LX_EBADF;
    }
    default:
        return -LX_EINVAL;
    }
}

long sys_flock(struct proc *p, const uint64_t *a)
{
    struct fs_fd_info info;
    int r = fs_fd_info(p->fs, (int)a[0], &info);
    if (r < 0)
        return r;
    if (info.flags & LX_O_PATH)
        return -LX_EBADF;
    if (info.host_fd < 0)
        return 0;
    return host_flock(info.host_fd, (int)a[1]);
}

long sys_ioctl(struct proc *p, const uint64_t *a)
{
    int fd = (int)a[0];
    unsigned req = (unsigned)a[1];
    uint64_t arg = a[2];
    struct fs_fd_info info;
    int r = fs_fd_info(p->fs, fd, &info);
    if (r < 0)
        return r;
    if (info.flags & LX_O_PATH)
        return -LX_EBADF;
    bool tty = info.type == LX_S_IFCHR && info.host_fd >= 0 && host_isatty(info.host_fd);
    uint8_t b[36];
    switch (req) {
    case LX_TCGETS:
        if (!tty)
            return -LX_ENOTTY;
        if ((r = host_tcgets(info.host_fd, b)) < 0)
            return r;
        return mem_write(p->as, arg, b, 36);
    case LX_TCSETS:
    case LX_TCSETSW:
    case LX_TCSETSF:
        if (!tty)
            return -LX_ENOTTY;
        if ((r = mem_read(p->as, arg, b, 36)) < 0)
            return r;
        return host_tcsets(info.host_fd, (int)req, b);
    case LX_TIOCGWINSZ: {
        if (!tty)
            return -LX_ENOTTY;
        uint16_t ws[4];
        if ((r = host_winsize(info.host_fd, ws)) < 0)
            return r;
        for (int i = 0; i < 4; i++)
            st16(b + 2 * i, ws[i]);
        return mem_write(p->as, arg, b, 8);
    }
    case LX_TIOCGPGRP:
        if (!tty)
            return -LX_ENOTTY;
        st32(b, (uint32_t)p->pgid);
        return mem_write(p->as, arg, b, 4);
    case LX_FIONREAD: {
        int n = 0;
        if (info.host_fd < 0)
            return -LX_ENOTTY;
        if (info.type == LX_S_IFREG) {
            struct host_stat st;
            int64_t pos = fs_lseek(p->fs, fd, 0, LX_SEEK_CUR);
            if (host_fstat(info.host_fd, &st) == 0 && pos >= 0 && st.size > pos)
                n = st.size - pos > INT32_MAX ? INT32_MAX : (int)(st.size - pos);
        } else if ((r = host_fionread(info.host_fd, &n)) < 0) {
            return r;
        }
        st32(b, (uint32_t)n);
        return mem_write(p->as, arg, b, 4);
    }
    case LX_FIONBIO: {
        if ((r = mem_read(p->as, arg, b, 4)) < 0)
            return r;
        int fl = fs_getfl(p->fs, fd);
        return fs_setfl(p->fs, fd, ld32(b) ? fl | LX_O_NONBLOCK : fl & ~LX_O_NONBLOCK);
    }
    case LX_FIOCLEX:
        return fs_setfd(p->fs, fd, LX_FD_CLOEXEC);
    case LX_FIONCLEX:
        return fs_setfd(p->fs, fd, 0);
    default:
        return -LX_ENOTTY;
    }
}

/* ------------------------------------------------------------- waiting */

/* A relative timeout in ms for poll (-1 = none); EINVAL if malformed. */
static int timeout_ms(struct proc *p, uint64_t va, int *ms)
{
    *ms = -1;
    if (!va)
        return 0;
    uint8_t b[16];
    int r = mem_read(p->as, va, b, 16);
    if (r < 0)
        return r;
    int64_t sec = (int64_t)ld64(b), nsec = (int64_t)ld64(b + 8);
    if (sec < 0 || nsec < 0 || nsec >= 1000000000)
        return -LX_EINVAL;
    uint64_t t = (uint64_t)sec * 1000 + (uint64_t)(nsec + 999999) / 1000000;
    *ms = sec > INT32_MAX / 1000 || t > INT32_MAX ? INT32_MAX : (int)t;
    return 0;
}

/* Polls guest fds; virtual directories are always ready, bad fds POLLNVAL. */
static int poll_fds(struct proc *p, const int *fd, struct host_pollfd *h, size_t n, int ms)
{
    size_t ready_now = 0;
    for (size_t i = 0; i < n; i++) {
        h[i].revents = 0;
        if (fd[i] < 0) {
            h[i].fd = -1;
            continue;
        }
        struct fs_fd_info info;
        if (fs_fd_info(p->fs, fd[i], &info) < 0 || (info.flags & LX_O_PATH)) {
            h[i].fd = -1;
            h[i].revents = LX_POLLNVAL;
            ready_now++;
        } else if (info.host_fd < 0) {
            h[i].fd = -1;
            h[i].revents = (short)(h[i].events & (LX_POLLIN | LX_POLLOUT));
            ready_now += h[i].revents != 0;
        } else {
            h[i].fd = info.host_fd;
        }
    }
    /* host_poll overwrites revents: keep what was decided here. */
    short *keep = malloc((n ? n : 1) * sizeof *keep);
    if (!keep)
        return -LX_ENOMEM;
    for (size_t i = 0; i < n; i++)
        keep[i] = h[i].revents;
    int r = proc_poll(p, h, n, ready_now ? 0 : ms);   /* without the run lock */
    if (r >= 0) {
        r = 0;
        for (size_t i = 0; i < n; i++) {
            if (h[i].fd < 0)
                h[i].revents = keep[i];
            r += h[i].revents != 0;
        }
    }
    free(keep);
    return r;
}

long sys_ppoll(struct proc *p, const uint64_t *a)
{
    uint64_t va = a[0], n = a[1];
    uint64_t cur, max;
    fs_nofile(p->fs, &cur, &max);
    if (n > cur)
        return -LX_EINVAL;
    int ms, r = timeout_ms(p, a[2], &ms);
    if (r < 0)
        return r;
    uint8_t *b = malloc(n * 8 + 1);
    int *fd = calloc(n + 1, sizeof *fd);
    struct host_pollfd *h = malloc((n + 1) * sizeof *h);
    if (!b || !fd || !h) {
        r = -LX_ENOMEM;
        goto out;
    }
    if ((r = mem_read(p->as, va, b, n * 8)) < 0)
        goto out;
    for (uint64_t i = 0; i < n; i++) {
        fd[i] = (int32_t)ld32(b + 8 * i);
        h[i].events = (short)(ld16(b + 8 * i + 4) | LX_POLLERR | LX_POLLHUP);
    }
    if ((r = poll_fds(p, fd, h, n, ms)) < 0)
        goto out;
    for (uint64_t i = 0; i < n; i++)
        st16(b + 8 * i + 6, (uint16_t)(h[i].revents & (ld16(b + 8 * i + 4) | LX_POLLERR | LX_POLLHUP | LX_POLLNVAL)));
    int w = mem_write(p->as, va, b, n * 8);
    if (w < 0)
        r = w;
out:
    free(b);
    free(fd);
    free(h);
    return r;
}

long sys_pselect6(struct proc *p, const uint64_t *a)
{
    int64_t nfds = (int64_t)a[0];
    uint64_t cur, max;
    fs_nofile(p->fs, &cur, &max);
    if (nfds < 0 || (uint64_t)nfds > cur)
        return -LX_EINVAL;
    int ms, r = timeout_ms(p, a[4], &ms);
    if (r < 0)
        return r;
    size_t words = (size_t)(nfds + 63) / 64;
    uint64_t sets[3][FS_NOFILE_MAX / 64];
    for (int s = 0; s < 3; s++) {
        memset(sets[s], 0, sizeof sets[s]);
        uint8_t b[FS_NOFILE_MAX / 8];
        if (a[1 + s] && words) {
            if ((r = mem_read(p->as, a[1 + s], b, words * 8)) < 0)
                return r;
            for (size_t w = 0; w < words; w++)
                sets[s][w] = ld64(b + 8 * w);
        }
    }
    int *fd = calloc((size_t)nfds + 1, sizeof *fd);
    struct host_pollfd *h = calloc((size_t)nfds + 1, sizeof *h);
    if (!h || !fd) {
        free(fd);
        free(h);
        return -LX_ENOMEM;
    }
    size_t n = 0;
    for (int i = 0; i < nfds; i++) {
        short ev = 0;
        if (sets[0][i / 64] >> (i % 64) & 1) ev |= LX_POLLIN;
        if (sets[1][i / 64] >> (i % 64) & 1) ev |= LX_POLLOUT;
        if (sets[2][i / 64] >> (i % 64) & 1) ev |= LX_POLLPRI;
        if (!ev)
            continue;
        fd[n] = i;
        h[n++].events = ev;
    }
    r = poll_fds(p, fd, h, n, ms);
    if (r >= 0) {
        for (size_t i = 0; i < n; i++)
            if (h[i].revents & LX_POLLNVAL)
                r = -LX_EBADF;
    }
    if (r >= 0) {
        for (int s = 0; s < 3; s++)
            memset(sets[s], 0, words * 8);
        r = 0;
        for (size_t i = 0; i < n; i++) {
            int f = fd[i];
            short re = h[i].revents, ev = h[i].events;
            uint64_t bit = 1ull << (f % 64);
            if ((ev & LX_POLLIN) && (re & (LX_POLLIN | LX_POLLHUP | LX_POLLERR))) { sets[0][f / 64] |= bit; r++; }
            if ((ev & LX_POLLOUT) && (re & (LX_POLLOUT | LX_POLLERR))) { sets[1][f / 64] |= bit; r++; }
            if ((ev & LX_POLLPRI) && (re & LX_POLLPRI)) { sets[2][f / 64] |= bit; r++; }
        }
        for (int s = 0; s < 3 && r >= 0; s++) {
            if (!a[1 + s] || !words)
                continue;
            uint8_t b[FS_NOFILE_MAX / 8];
            for (size_t w = 0; w < words; w++)
                st64(b + 8 * w, sets[s][w]);
            int e = mem_write(p->as, a[1 + s], b, words * 8);
            if (e < 0)
                r = e;
        }
    }
    free(fd);
    free(h);
    return r;
}
