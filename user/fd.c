/*
 * fd.c — the sandbox's file-descriptor calls: close, dup, pipes, reads and
 * writes, directory listings, seeks and the descriptor limits (see
 * user/fs.h). Paths never appear here: every call acts on a file the
 * resolver in user/fs.c already opened inside a mapped directory.
 */
#include "user/fs.h"
#include "user/fs_int.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/fs.h"
#include "user/lx.h"

/* ------------------------------------------------------------- fd calls */

int fs_close(struct fs *fs, int fd)
{
    struct file *f = fd_file(fs, fd);
    if (!f)
        return -LX_EBADF;
    fs->fds[fd].f = NULL;
    file_unref(f);
    return 0;
}

int fs_dup(struct fs *fs, int fd, int min_fd, bool cloexec)
{
    struct file *f = fd_file(fs, fd);
    if (!f)
        return -LX_EBADF;
    if (min_fd < 0 || (uint64_t)min_fd >= fs->nofile)
        return -LX_EINVAL;
    int nfd = fd_alloc(fs, min_fd);
    if (nfd < 0)
        return nfd;
    f->refs++;
    fs->fds[nfd] = (struct fd_slot){ .f = f, .cloexec = cloexec };
    return nfd;
}

int fs_dup3(struct fs *fs, int oldfd, int newfd, int flags)
{
    if (flags & ~LX_O_CLOEXEC)
        return -LX_EINVAL;
    struct file *f = fd_file(fs, oldfd);
    if (!f)
        return -LX_EBADF;
    if (oldfd == newfd)
        return -LX_EINVAL;
    if (newfd < 0 || (uint64_t)newfd >= fs->nofile)
        return -LX_EBADF;
    if (newfd >= fs->nfds) {
        int r = fd_alloc(fs, newfd);
        if (r < 0)
            return r;
    }
    f->refs++;
    struct file *old = fs->fds[newfd].f;
    fs->fds[newfd] = (struct fd_slot){ .f = f, .cloexec = (flags & LX_O_CLOEXEC) != 0 };
    file_unref(old);
    return newfd;
}

int fs_import_fd(struct fs *fs, int newfd, struct fs *from, int fromfd)
{
    struct file *src = fd_file(from, fromfd);
    if (!src)
        return -LX_EBADF;
    if (src->fd < 0 || src->type == LX_S_IFDIR || (src->flags & LX_O_PATH))
        return -LX_EINVAL;   /* directories know their mount: they stay home */
    if (newfd < 0 || newfd > 2)
        return -LX_EBADF;
    int hfd = host_dup(src->fd);
    if (hfd < 0)
        return hfd;
    struct file *f = file_new(hfd, -1, src->flags, src->type, NULL);
    if (!f) {
        host_close(hfd);
        return -LX_ENOMEM;
    }
    /* The access of the grant it came from goes with it. */
    f->stream = true;
    f->ro = src->ro || (src->mount >= 0 && from->mounts[src->mount].ro);
    struct file *old = fs->fds[newfd].f;
    fs->fds[newfd] = (struct fd_slot){ .f = f, .cloexec = false };
    file_unref(old);
    return newfd;
}

int fs_follow_stream(struct fs *fs, int fd, struct fs *from)
{
    struct file *f = fd_file(fs, fd), *src = fd_file(from, fd);
    if (!f || !f->stream || !f->borrowed || f->fd != fd || !src || !src->stream || src->borrowed)
        return 0;
    int r = fs_import_fd(fs, fd, from, fd);
    return r < 0 ? r : 0;
}

int fs_getfd(struct fs *fs, int fd)
{
    if (!fd_file(fs, fd))
        return -LX_EBADF;
    return fs->fds[fd].cloexec ? LX_FD_CLOEXEC : 0;
}

int fs_setfd(struct fs *fs, int fd, int fd_flags)
{
    if (!fd_file(fs, fd))
        return -LX_EBADF;
    fs->fds[fd].cloexec = (fd_flags & LX_FD_CLOEXEC) != 0;
    return 0;
}

int fs_getfl(struct fs *fs, int fd)
{
    struct file *f = fd_file(fs, fd);
    return f ? f->flags : -LX_EBADF;
}

int fs_setfl(struct fs *fs, int fd, int flags)
{
    struct file *f;
    int r = get_file(fs, fd, false, &f);
    if (r < 0)
        return r;
    const int settable = LX_O_APPEND | LX_O_NONBLOCK | LX_O_ASYNC | LX_O_DIRECT | LX_O_NOATIME;
    if (f->fd >= 0 && (r = host_setfl(f->fd, flags)) < 0)
        return r;
    f->flags = (f->flags & ~settable) | (flags & settable);
    return 0;
}

int fs_pipe2(struct fs *fs, int fds[2], int flags)
{
    if (flags & ~(LX_O_CLOEXEC | LX_O_NONBLOCK | LX_O_DIRECT))
        return -LX_EINVAL;
    int a = fd_alloc(fs, 0);
    if (a < 0)
        return a;
    int b = fd_alloc(fs, a + 1);    /* a is the lowest free fd: b the next one */
    if (b < 0)
        return b;
    int h[2];
    int r = host_pipe(h, flags);
    if (r < 0)
        return r;
    int nb = flags & LX_O_NONBLOCK;
    struct file *rf = file_new(h[0], -1, LX_O_RDONLY | nb | LX_O_LARGEFILE, LX_S_IFIFO, NULL);
    struct file *wf = file_new(h[1], -1, LX_O_WRONLY | nb | LX_O_LARGEFILE, LX_S_IFIFO, NULL);
    if (!rf || !wf) {
        if (rf) file_unref(rf); else host_close(h[0]);
        if (wf) file_unref(wf); else host_close(h[1]);
        return -LX_ENOMEM;
    }
    bool ce = flags & LX_O_CLOEXEC;
    fs->fds[a] = (struct fd_slot){ .f = rf, .cloexec = ce };
    fs->fds[b] = (struct fd_slot){ .f = wf, .cloexec = ce };
    fds[0] = a;
    fds[1] = b;
    return 0;
}

static int readable(struct fs *fs, int fd, struct file **f)
{
    int r = get_file(fs, fd, false, f);
    if (r < 0)
        return r;
    if (((*f)->flags & LX_O_ACCMODE) == LX_O_WRONLY)
        return -LX_EBADF;
    if ((*f)->fd < 0)
        return -LX_EISDIR;
    return 0;
}

static int writable(struct fs *fs, int fd, struct file **f)
{
    int r = get_file(fs, fd, false, f);
    if (r < 0)
        return r;
    if (((*f)->flags & LX_O_ACCMODE) == LX_O_RDONLY || (*f)->fd < 0)
        return -LX_EBADF;
    return 0;
}

long fs_read(struct fs *fs, int fd, void *buf, size_t len)
{
    struct file *f;
    int r = readable(fs, fd, &f);
    if (r < 0)
        return r;
    long n = host_read(f->fd, buf, len);
    if (f->sock)
        net_counter_order(f, buf, n);
    return n;
}

long fs_pread(struct fs *fs, int fd, void *buf, size_t len, uint64_t off)
{
    struct file *f;
    int r = readable(fs, fd, &f);
    if (r < 0)
        return r;
    if ((int64_t)off < 0)
        return -LX_EINVAL;
    return host_pread(f->fd, buf, len, (int64_t)off);
}

long fs_write(struct fs *fs, int fd, const void *buf, size_t len)
{
    struct file *f;
    int r = writable(fs, fd, &f);
    if (r < 0)
        return r;
    if (f->type == LX_S_IFREG || f->type == LX_S_IFBLK)
        return host_write(f->fd, buf, len);
    if (f->sock && len == 8) {
        uint8_t v[8];
        memcpy(v, buf, 8);
        net_counter_order(f, v, 8);
        return host_write_stream(f->fd, v, 8);
    }
    return host_write_stream(f->fd, buf, len);
}

long fs_pwrite(struct fs *fs, int fd, const void *buf, size_t len, uint64_t off)
{
    struct file *f;
    int r = writable(fs, fd, &f);
    if (r < 0)
        return r;
    if ((int64_t)off < 0)
        return -LX_EINVAL;
    return host_pwrite(f->fd, buf, len, (int64_t)off);
}

/* Children of a virtual directory: the next components of the mounts below it. */
static bool virtual_child(struct fs *fs, const char *dir, uint64_t index, char *name)
{
    size_t dlen = strlen(dir);
    uint64_t k = 0;
    for (int i = 0; i < fs->nmounts; i++) {
        const struct mount *m = &fs->mounts[i];
        if (m->len <= dlen || memcmp(m->guest, dir, dlen) != 0 || m->guest[dlen] != '/')
            continue;
        const char *c = m->guest + dlen + 1;
        size_t clen = strcspn(c, "/");
        /* Count each name once: skip it if an earlier mount gave it. */
        bool seen = false;
        for (int j = 0; j < i && !seen; j++) {
            const struct mount *o = &fs->mounts[j];
            seen = o->len > dlen + clen && memcmp(o->guest, m->guest, dlen + 1 + clen) == 0 &&
                   (o->guest[dlen + 1 + clen] == '/' || o->guest[dlen + 1 + clen] == 0);
        }
        if (seen)
            continue;
        if (k++ == index) {
            memcpy(name, c, clen);
            name[clen] = 0;
            return true;
        }
    }
    return false;
}

/* Appends one linux_dirent64; false when it does not fit. */
static bool put_dirent(uint8_t *buf, size_t size, size_t *used, uint64_t ino, int64_t off,
                       uint8_t type, const char *name)
{
    size_t n = strlen(name);
    size_t reclen = (19 + n + 1 + 7) & ~(size_t)7;
    if (*used + reclen > size)
        return false;
    uint8_t *d = buf + *used;
    memset(d, 0, reclen);
    for (int i = 0; i < 8; i++) {
        d[i] = (uint8_t)(ino >> (8 * i));
        d[8 + i] = (uint8_t)((uint64_t)off >> (8 * i));
    }
    d[16] = (uint8_t)reclen;
    d[17] = (uint8_t)(reclen >> 8);
    d[18] = type;
    memcpy(d + 19, name, n);
    *used += reclen;
    return true;
}

long fs_getdents64(struct fs *fs, int fd, uint8_t *buf, size_t size)
{
    struct file *f;
    int r = get_file(fs, fd, false, &f);
    if (r < 0)
        return r;
    if (f->type != LX_S_IFDIR)
        return -LX_ENOTDIR;
    size_t used = 0;
    if (f->fd < 0) {
        char name[FS_NAME_MAX + 1];
        for (;;) {
            uint64_t ino;
            if (f->vpos == 0) {
                strcpy(name, ".");
                ino = path_hash(f->path);
            } else if (f->vpos == 1) {
                strcpy(name, "..");
                const char *s = strrchr(f->path, '/');
                char parent[FS_PATH_MAX];
                size_t pl = s ? (size_t)(s - f->path) : 0;
                memcpy(parent, f->path, pl);
                parent[pl] = 0;
                ino = path_hash(parent);
            } else if (virtual_child(fs, f->path, f->vpos - 2, name)) {
                char child[FS_PATH_MAX];
                snprintf(child, sizeof child, "%s/%s", f->path, name);
                ino = path_hash(child);
            } else {
                break;
            }
            if (!put_dirent(buf, size, &used, ino, (int64_t)f->vpos + 1, LX_DT_DIR, name))
                return used ? (long)used : -LX_EINVAL;
            f->vpos++;
        }
        return (long)used;
    }
    if (!f->dir && (r = host_dir_open(f->fd, &f->dir)) < 0)
        return r;
    for (;;) {
        int64_t pos = host_dir_tell(f->dir);
        struct host_dirent e;
        r = host_dir_read(f->dir, &e);
        if (r < 0)
            return used ? (long)used : r;
        if (r == 0)
            break;
        if (!put_dirent(buf, size, &used, e.ino, e.off, e.type, e.name)) {
            host_dir_seek(f->dir, pos);     /* the next call starts with it */
            return used ? (long)used : -LX_EINVAL;
        }
    }
    return (long)used;
}

int64_t fs_lseek(struct fs *fs, int fd, int64_t off, int whence)
{
    struct file *f;
    int r = get_file(fs, fd, false, &f);
    if (r < 0)
        return r;
    if (f->type == LX_S_IFDIR) {
        /* Directory positions are getdents64's d_off cookies. */
        if (whence == LX_SEEK_CUR && off == 0)
            return f->fd < 0 ? (int64_t)f->vpos : f->dir ? host_dir_tell(f->dir) : 0;
        if (whence != LX_SEEK_SET || off < 0)
            return -LX_EINVAL;
        if (f->fd < 0) {
            f->vpos = (uint64_t)off;
            return off;
        }
        if (!f->dir && (r = host_dir_open(f->fd, &f->dir)) < 0)
            return r;
        host_dir_seek(f->dir, off);
        return off;
    }
    return host_lseek(f->fd, off, whence);
}

int fs_ftruncate(struct fs *fs, int fd, int64_t len)
{
    struct file *f;
    int r = get_file(fs, fd, false, &f);
    if (r < 0)
        return r;
    if (len < 0 || f->type != LX_S_IFREG || (f->flags & LX_O_ACCMODE) == LX_O_RDONLY)
        return -LX_EINVAL;
    return host_ftruncate(f->fd, len);
}

int fs_fsync(struct fs *fs, int fd, bool data_only)
{
    struct file *f;
    int r = get_file(fs, fd, false, &f);
    if (r < 0)
        return r;
    if (f->fd < 0)
        return 0;
    /* Pipes and terminals cannot be synced: the host says EINVAL, as Linux. */
    return host_fsync(f->fd, data_only);
}

int fs_fchmod(struct fs *fs, int fd, uint32_t mode)
{
    struct file *f;
    int r = get_file(fs, fd, false, &f);
    if (r < 0)
        return r;
    if ((r = file_meta_check(fs, f)) < 0)
        return r;
    return host_fchmod(f->fd, mode & 07777 & ~NOT_GRANTED);
}

int file_meta_check(const struct fs *fs, const struct file *f)
{
    if (f->fd < 0 || f->ro || (f->mount >= 0 && fs->mounts[f->mount].ro))
        return -LX_EROFS;
    /* A stream is a host file the guest was handed, not granted: changing
     * it for everyone else is opt-in (docs/sandbox.md). */
    if (f->stream && !fs->stream_meta)
        return -LX_EPERM;
    return 0;
}

void fs_set_stream_meta(struct fs *fs, bool allow)
{
    fs->stream_meta = allow;
}

bool fs_stream_meta(const struct fs *fs)
{
    return fs->stream_meta;
}

uint32_t fs_umask(struct fs *fs, uint32_t mask)
{
    uint32_t old = fs->umask;
    fs->umask = mask & 0777;
    return old;
}

void fs_nofile(struct fs *fs, uint64_t *cur, uint64_t *max)
{
    *cur = fs->nofile;
    *max = fs->nofile_max;
}

int fs_set_nofile(struct fs *fs, uint64_t cur, uint64_t max)
{
    if (cur > max)
        return -LX_EINVAL;
    if (max > fs->nofile_max)
        return -LX_EPERM;
    fs->nofile = cur;
    fs->nofile_max = max;
    return 0;
}

/* ------------------------------------------------------------ signalfd */

int fs_signalfd(struct fs *fs, int fd, uint64_t mask, int flags)
{
    if (fd != -1) {
        struct file *f = fd_file(fs, fd);
        if (!f)
            return -LX_EBADF;
        if (!f->sigfd)
            return -LX_EINVAL;
        f->sigmask = mask;
        return fd;
    }
    int nfd = fd_alloc(fs, 0);
    if (nfd < 0)
        return nfd;
    struct file *f = file_new(-1, -1, LX_O_RDWR | (flags & LX_O_NONBLOCK), 0, NULL);
    if (!f)
        return -LX_ENOMEM;
    f->sigfd = true;
    f->sigmask = mask;
    fs->fds[nfd] = (struct fd_slot){ .f = f, .cloexec = (flags & LX_O_CLOEXEC) != 0 };
    return nfd;
}

int fs_sigfd(struct fs *fs, int fd, uint64_t *mask, int *flags)
{
    struct file *f = fd_file(fs, fd);
    if (!f || !f->sigfd)
        return -LX_EINVAL;
    *mask = f->sigmask;
    *flags = f->flags;
    return 0;
}
