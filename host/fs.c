/*
 * fs.c — the host's file system calls on a POSIX host, translated to and
 * from the Linux values the guest uses (see host/fs.h).
 *
 * On a Linux host most translations are the identity, but open flags are
 * not: O_DIRECTORY, O_NOFOLLOW, O_DIRECT and O_LARGEFILE have other values
 * on aarch64 than on riscv64, so every flag is mapped bit by bit. Errno
 * values are the same on every common Linux architecture; elsewhere they
 * go through a table.
 */
#include "host/fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#endif

#include "user/lx.h"

#ifndef O_PATH
#define HOST_NO_O_PATH 1
#endif

#if defined(__linux__) && !defined(__alpha__) && !defined(__mips__) && \
    !defined(__sparc__) && !defined(__hppa__)
#define HOST_LINUX_ERRNO 1
#endif

int host_err(int e)
{
#ifdef HOST_LINUX_ERRNO
    return e;
#else
    switch (e) {
    case EPERM: return LX_EPERM;
    case ENOENT: return LX_ENOENT;
    case ESRCH: return LX_ESRCH;
    case EINTR: return LX_EINTR;
    case EIO: return LX_EIO;
    case ENXIO: return LX_ENXIO;
    case E2BIG: return LX_E2BIG;
    case ENOEXEC: return LX_ENOEXEC;
    case EBADF: return LX_EBADF;
    case ECHILD: return LX_ECHILD;
    case EAGAIN: return LX_EAGAIN;
    case ENOMEM: return LX_ENOMEM;
    case EACCES: return LX_EACCES;
    case EFAULT: return LX_EFAULT;
    case EBUSY: return LX_EBUSY;
    case EEXIST: return LX_EEXIST;
    case EXDEV: return LX_EXDEV;
    case ENODEV: return LX_ENODEV;
    case ENOTDIR: return LX_ENOTDIR;
    case EISDIR: return LX_EISDIR;
    case EINVAL: return LX_EINVAL;
    case ENFILE: return LX_ENFILE;
    case EMFILE: return LX_EMFILE;
    case ENOTTY: return LX_ENOTTY;
    case ETXTBSY: return LX_ETXTBSY;
    case EFBIG: return LX_EFBIG;
    case ENOSPC: return LX_ENOSPC;
    case ESPIPE: return LX_ESPIPE;
    case EROFS: return LX_EROFS;
    case EMLINK: return LX_EMLINK;
    case EPIPE: return LX_EPIPE;
    case ERANGE: return LX_ERANGE;
    case EDEADLK: return LX_EDEADLK;
    case ENAMETOOLONG: return LX_ENAMETOOLONG;
    case ENOLCK: return LX_ENOLCK;
    case ENOSYS: return LX_ENOSYS;
    case ENOTEMPTY: return LX_ENOTEMPTY;
    case ELOOP: return LX_ELOOP;
    case EOVERFLOW: return LX_EOVERFLOW;
    case ENOTSOCK: return LX_ENOTSOCK;
    case EOPNOTSUPP: return LX_EOPNOTSUPP;
#if defined(ENOTSUP) && ENOTSUP != EOPNOTSUPP
    case ENOTSUP: return LX_EOPNOTSUPP;
#endif
    case ETIMEDOUT: return LX_ETIMEDOUT;
    default: return LX_EIO;
    }
#endif
}

static int neg_errno(void) { return -host_err(errno); }

/* Linux open flags -> host open flags. */
static int open_flags(int f)
{
    int h = 0;
    switch (f & LX_O_ACCMODE) {
    case LX_O_RDONLY: h = O_RDONLY; break;
    case LX_O_WRONLY: h = O_WRONLY; break;
    default: h = O_RDWR; break;
    }
    if (f & LX_O_CREAT) h |= O_CREAT;
    if (f & LX_O_EXCL) h |= O_EXCL;
    if (f & LX_O_NOCTTY) h |= O_NOCTTY;
    if (f & LX_O_TRUNC) h |= O_TRUNC;
    if (f & LX_O_APPEND) h |= O_APPEND;
    if (f & LX_O_NONBLOCK) h |= O_NONBLOCK;
    if (f & LX_O_DIRECTORY) h |= O_DIRECTORY;
#ifdef O_DSYNC
    if (f & LX_O_DSYNC) h |= O_DSYNC;
#endif
    if ((f & LX_O_SYNC) == LX_O_SYNC) h |= O_SYNC;
#ifdef O_NOATIME
    if (f & LX_O_NOATIME) h |= O_NOATIME;
#endif
#ifdef O_DIRECT
    if (f & LX_O_DIRECT) h |= O_DIRECT;
#endif
#ifndef HOST_NO_O_PATH
    /* O_PATH ignores every flag but O_DIRECTORY, O_NOFOLLOW and O_CLOEXEC. */
    if (f & LX_O_PATH) h = O_PATH | (h & O_DIRECTORY);
#endif
#ifdef O_TMPFILE
    if ((f & LX_O_TMPFILE) == LX_O_TMPFILE) h |= O_TMPFILE;
#endif
    return h | O_NOFOLLOW | O_CLOEXEC;
}

static uint32_t mode_to_lx(mode_t m)
{
    uint32_t t;
    if (S_ISREG(m)) t = LX_S_IFREG;
    else if (S_ISDIR(m)) t = LX_S_IFDIR;
    else if (S_ISLNK(m)) t = LX_S_IFLNK;
    else if (S_ISCHR(m)) t = LX_S_IFCHR;
    else if (S_ISBLK(m)) t = LX_S_IFBLK;
    else if (S_ISFIFO(m)) t = LX_S_IFIFO;
    else if (S_ISSOCK(m)) t = LX_S_IFSOCK;
    else t = 0;
    return t | (uint32_t)(m & 07777);
}

static uint64_t lx_makedev(uint64_t ma, uint64_t mi)
{
    return (mi & 0xff) | (ma & 0xfff) << 8 | (mi & ~0xffull) << 12 | (ma & ~0xfffull) << 32;
}

static void stat_to_lx(struct host_stat *o, const struct stat *s)
{
    memset(o, 0, sizeof *o);
    o->dev = lx_makedev(major(s->st_dev), minor(s->st_dev));
    o->rdev = lx_makedev(major(s->st_rdev), minor(s->st_rdev));
    o->ino = (uint64_t)s->st_ino;
    o->mode = mode_to_lx(s->st_mode);
    o->nlink = (uint32_t)s->st_nlink;
    o->uid = (uint32_t)s->st_uid;
    o->gid = (uint32_t)s->st_gid;
    o->size = (int64_t)s->st_size;
    o->blocks = (int64_t)s->st_blocks;
    o->blksize = (uint32_t)s->st_blksize;
#if defined(__APPLE__)
    o->atime = s->st_atimespec.tv_sec; o->atime_ns = (uint32_t)s->st_atimespec.tv_nsec;
    o->mtime = s->st_mtimespec.tv_sec; o->mtime_ns = (uint32_t)s->st_mtimespec.tv_nsec;
    o->ctime = s->st_ctimespec.tv_sec; o->ctime_ns = (uint32_t)s->st_ctimespec.tv_nsec;
#else
    o->atime = s->st_atim.tv_sec; o->atime_ns = (uint32_t)s->st_atim.tv_nsec;
    o->mtime = s->st_mtim.tv_sec; o->mtime_ns = (uint32_t)s->st_mtim.tv_nsec;
    o->ctime = s->st_ctim.tv_sec; o->ctime_ns = (uint32_t)s->st_ctim.tv_nsec;
#endif
}

int host_root_open(const char *path)
{
#ifndef HOST_NO_O_PATH
    int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
#else
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
#endif
    return fd < 0 ? neg_errno() : fd;
}

int host_lookup(int dir_fd, const char *name, int *out, struct host_stat *st)
{
    struct stat s;
    *out = -1;
#ifndef HOST_NO_O_PATH
    /* Open first, then look at what was opened: no window between the two. */
    int fd = openat(dir_fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return neg_errno();
    if (fstat(fd, &s) != 0) {
        int e = neg_errno();
        close(fd);
        return e;
    }
    stat_to_lx(st, &s);
    if (S_ISDIR(s.st_mode))
        *out = fd;
    else
        close(fd);
    return 0;
#else
    if (fstatat(dir_fd, name, &s, AT_SYMLINK_NOFOLLOW) != 0)
        return neg_errno();
    stat_to_lx(st, &s);
    if (!S_ISDIR(s.st_mode))
        return 0;
#ifdef O_SEARCH
    int fd = openat(dir_fd, name, O_SEARCH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
#else
    int fd = openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
#endif
    if (fd < 0)
        return neg_errno();
    struct stat s2;
    /* The name may have been replaced between the two calls: the handle is
       only good if it is the directory that was looked at. */
    if (fstat(fd, &s2) != 0 || s2.st_dev != s.st_dev || s2.st_ino != s.st_ino) {
        close(fd);
        return -LX_EAGAIN;
    }
    *out = fd;
    return 0;
#endif
}

int host_openat(int dir_fd, const char *name, int lx_flags, uint32_t mode)
{
    int fd;
    do
        fd = openat(dir_fd, name, open_flags(lx_flags), (mode_t)(mode & 07777));
    while (fd < 0 && errno == EINTR);
    return fd < 0 ? neg_errno() : fd;
}

int host_open_device(const char *name, int lx_flags)
{
    static const char *const ok[] = { "null", "zero", "full", "random", "urandom" };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (strcmp(name, ok[i]) == 0) {
            char path[32];
            snprintf(path, sizeof path, "/dev/%s", name);
            int fd = open(path, (open_flags(lx_flags) & (O_ACCMODE | O_NONBLOCK)) | O_NOCTTY | O_NOFOLLOW | O_CLOEXEC);
            return fd < 0 ? neg_errno() : fd;
        }
    return -LX_ENOENT;
}

long host_pipe_room(int fd)
{
#if defined(F_GETPIPE_SZ) && defined(FIONREAD)
    int size = fcntl(fd, F_GETPIPE_SZ), queued = 0;
    if (size < 0 || ioctl(fd, FIONREAD, &queued) != 0)
        return -1;
    return size > queued ? size - queued : 0;
#else
    (void)fd;
    return -1;
#endif
}

int host_dup(int fd)
{
    int r = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    return r < 0 ? neg_errno() : r;
}

int host_close(int fd)
{
    return close(fd) != 0 && errno != EINTR ? neg_errno() : 0;
}

long host_read(int fd, void *buf, size_t len)
{
    ssize_t n;
    do
        n = read(fd, buf, len);
    while (n < 0 && errno == EINTR);
    return n < 0 ? neg_errno() : (long)n;
}

long host_write(int fd, const void *buf, size_t len)
{
    ssize_t n;
    do
        n = write(fd, buf, len);
    while (n < 0 && errno == EINTR);
    return n < 0 ? neg_errno() : (long)n;
}

/*
 * A write to a pipe or socket without a reader raises SIGPIPE in the
 * writer: here that would be the monitor. Block it around the write and
 * take back the one the write raised, so the guest gets EPIPE (and the
 * signal the sandbox emulates for it) and the monitor lives on.
 */
long host_write_stream(int fd, const void *buf, size_t len)
{
    sigset_t pipe_set, old, pending;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    sigpending(&pending);
    bool was_pending = sigismember(&pending, SIGPIPE) == 1;
    sigprocmask(SIG_BLOCK, &pipe_set, &old);
    long r = host_write(fd, buf, len);
    if (r == -LX_EPIPE && !was_pending && sigismember(&old, SIGPIPE) != 1) {
        struct timespec zero = { 0, 0 };
        sigtimedwait(&pipe_set, NULL, &zero);
    }
    sigprocmask(SIG_SETMASK, &old, NULL);
    return r;
}

long host_pread(int fd, void *buf, size_t len, int64_t off)
{
    ssize_t n;
    do
        n = pread(fd, buf, len, (off_t)off);
    while (n < 0 && errno == EINTR);
    return n < 0 ? neg_errno() : (long)n;
}

long host_pwrite(int fd, const void *buf, size_t len, int64_t off)
{
    ssize_t n;
    do
        n = pwrite(fd, buf, len, (off_t)off);
    while (n < 0 && errno == EINTR);
    return n < 0 ? neg_errno() : (long)n;
}

int64_t host_lseek(int fd, int64_t off, int whence)
{
    int w;
    switch (whence) {
    case LX_SEEK_SET: w = SEEK_SET; break;
    case LX_SEEK_CUR: w = SEEK_CUR; break;
    case LX_SEEK_END: w = SEEK_END; break;
#ifdef SEEK_DATA
    case LX_SEEK_DATA: w = SEEK_DATA; break;
    case LX_SEEK_HOLE: w = SEEK_HOLE; break;
#endif
    default: return -LX_EINVAL;
    }
    off_t r = lseek(fd, (off_t)off, w);
    return r < 0 ? neg_errno() : (int64_t)r;
}

int host_fstatat(int dir_fd, const char *name, struct host_stat *st)
{
    struct stat s;
    int r;
    if (!name[0]) {
        r = fstat(dir_fd, &s);
    } else {
        r = fstatat(dir_fd, name, &s, AT_SYMLINK_NOFOLLOW);
    }
    if (r != 0)
        return neg_errno();
    stat_to_lx(st, &s);
    return 0;
}

int host_fstat(int fd, struct host_stat *st)
{
    return host_fstatat(fd, "", st);
}

int host_mkdirat(int dir_fd, const char *name, uint32_t mode)
{
    return mkdirat(dir_fd, name, (mode_t)(mode & 07777)) != 0 ? neg_errno() : 0;
}

int host_mknodat(int dir_fd, const char *name, uint32_t lx_mode)
{
    mode_t perm = (mode_t)(lx_mode & 07777);
    switch (lx_mode & LX_S_IFMT) {
    case 0:
    case LX_S_IFREG: {
        int fd = openat(dir_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, perm);
        if (fd < 0)
            return neg_errno();
        close(fd);
        return 0;
    }
    case LX_S_IFIFO:
        return mkfifoat(dir_fd, name, perm) != 0 ? neg_errno() : 0;
    default:
        return -LX_EPERM;
    }
}

int host_unlinkat(int dir_fd, const char *name, bool dir)
{
    return unlinkat(dir_fd, name, dir ? AT_REMOVEDIR : 0) != 0 ? neg_errno() : 0;
}

int host_renameat2(int od, const char *on, int nd, const char *nn, unsigned lx_flags)
{
    if (lx_flags == 0)
        return renameat(od, on, nd, nn) != 0 ? neg_errno() : 0;
#if defined(__linux__) && defined(SYS_renameat2)
    /* RENAME_* flags have the same values on every Linux. */
    if (syscall(SYS_renameat2, od, on, nd, nn, lx_flags) != 0)
        return neg_errno();
    return 0;
#else
    return -LX_EINVAL;
#endif
}

int host_linkat(int od, const char *on, int nd, const char *nn)
{
    return linkat(od, on, nd, nn, 0) != 0 ? neg_errno() : 0;
}

int host_symlinkat(const char *target, int dir_fd, const char *name)
{
    return symlinkat(target, dir_fd, name) != 0 ? neg_errno() : 0;
}

long host_readlinkat(int dir_fd, const char *name, char *buf, size_t size)
{
    ssize_t n = readlinkat(dir_fd, name, buf, size);
    return n < 0 ? neg_errno() : (long)n;
}

int host_faccessat(int dir_fd, const char *name, int lx_mode)
{
    int m = 0;
    if (lx_mode & LX_R_OK) m |= R_OK;
    if (lx_mode & LX_W_OK) m |= W_OK;
    if (lx_mode & LX_X_OK) m |= X_OK;
    if (!m)
        m = F_OK;
    return faccessat(dir_fd, name[0] ? name : ".", m, AT_SYMLINK_NOFOLLOW) != 0 ? neg_errno() : 0;
}

int host_fchmodat(int dir_fd, const char *name, uint32_t mode)
{
    if (!name[0] || (name[0] == '.' && !name[1]))
        return host_fchmod(dir_fd, mode);
    /* AT_SYMLINK_NOFOLLOW: if the name became a link meanwhile, fail
       rather than change whatever it points to. */
    if (fchmodat(dir_fd, name, (mode_t)(mode & 07777), AT_SYMLINK_NOFOLLOW) != 0)
        return neg_errno();
    return 0;
}

int host_fchmod(int fd, uint32_t mode)
{
    if (fchmod(fd, (mode_t)(mode & 07777)) == 0)
        return 0;
#ifndef HOST_NO_O_PATH
    if (errno == EBADF) {
        /* An O_PATH handle of a directory: go through "." of itself. */
        if (fchmodat(fd, ".", (mode_t)(mode & 07777), 0) == 0)
            return 0;
    }
#endif
    return neg_errno();
}

int host_fchownat(int dir_fd, const char *name, uint32_t uid, uint32_t gid)
{
    int r;
    if (!name[0])
        r = fchownat(dir_fd, ".", (uid_t)uid, (gid_t)gid, 0);
    else
        r = fchownat(dir_fd, name, (uid_t)uid, (gid_t)gid, AT_SYMLINK_NOFOLLOW);
    return r != 0 ? neg_errno() : 0;
}

static void lx_timespec(struct timespec *t, int64_t sec, int64_t nsec)
{
    t->tv_sec = (time_t)sec;
    if (nsec == LX_UTIME_NOW)
        t->tv_nsec = UTIME_NOW;
    else if (nsec == LX_UTIME_OMIT)
        t->tv_nsec = UTIME_OMIT;
    else
        t->tv_nsec = (long)nsec;
}

int host_utimensat(int dir_fd, const char *name, const int64_t *ts)
{
    struct timespec t[2];
    if (ts) {
        lx_timespec(&t[0], ts[0], ts[1]);
        lx_timespec(&t[1], ts[2], ts[3]);
    }
    int r;
    if (!name[0])
        r = utimensat(dir_fd, ".", ts ? t : NULL, 0);
    else
        r = utimensat(dir_fd, name, ts ? t : NULL, AT_SYMLINK_NOFOLLOW);
    if (r != 0 && !name[0] && errno == ENOTDIR)
        r = futimens(dir_fd, ts ? t : NULL);
    return r != 0 ? neg_errno() : 0;
}

int host_ftruncate(int fd, int64_t len)
{
    return ftruncate(fd, (off_t)len) != 0 ? neg_errno() : 0;
}

int host_fsync(int fd, bool data_only)
{
#if defined(_POSIX_SYNCHRONIZED_IO) && _POSIX_SYNCHRONIZED_IO > 0
    int r = data_only ? fdatasync(fd) : fsync(fd);
#else
    (void)data_only;
    int r = fsync(fd);
#endif
    return r != 0 ? neg_errno() : 0;
}

int host_getfl(int fd)
{
    int f = fcntl(fd, F_GETFL);
    if (f < 0)
        return neg_errno();
    int lx;
    switch (f & O_ACCMODE) {
    case O_RDONLY: lx = LX_O_RDONLY; break;
    case O_WRONLY: lx = LX_O_WRONLY; break;
    default: lx = LX_O_RDWR; break;
    }
    if (f & O_APPEND) lx |= LX_O_APPEND;
    if (f & O_NONBLOCK) lx |= LX_O_NONBLOCK;
    return lx;
}

int host_setfl(int fd, int lx_flags)
{
    int f = fcntl(fd, F_GETFL);
    if (f < 0)
        return neg_errno();
    f &= ~(O_APPEND | O_NONBLOCK);
    if (lx_flags & LX_O_APPEND) f |= O_APPEND;
    if (lx_flags & LX_O_NONBLOCK) f |= O_NONBLOCK;
    return fcntl(fd, F_SETFL, f) != 0 ? neg_errno() : 0;
}

int host_pipe(int fds[2], int lx_flags)
{
    if (pipe(fds) != 0)
        return neg_errno();
    for (int i = 0; i < 2; i++) {
        fcntl(fds[i], F_SETFD, FD_CLOEXEC);
        if (lx_flags & LX_O_NONBLOCK)
            fcntl(fds[i], F_SETFL, fcntl(fds[i], F_GETFL) | O_NONBLOCK);
    }
    return 0;
}

/*
 * The bytes queued in the pipe whose read end is fd, left where they are
 * (a snapshot of a VM that goes on): tee(2) copies them into a pipe of
 * our own, which we read. Returns how many (at most size), or -LX_E*;
 * -LX_ENOSYS on a host without tee.
 */
long host_pipe_peek(int fd, void *buf, size_t size)
{
#if defined(__linux__) && defined(SPLICE_F_NONBLOCK) && defined(F_SETPIPE_SZ) && defined(FIONREAD)
    int queued = 0;
    if (ioctl(fd, FIONREAD, &queued) != 0)
        return neg_errno();
    if (queued <= 0)
        return 0;
    if ((size_t)queued > size)
        return -LX_EFBIG;
    int t[2];
    if (pipe(t) != 0)
        return neg_errno();
    long r = 0;
    if (fcntl(t[1], F_SETPIPE_SZ, queued) < 0) {
        r = neg_errno();
    } else {
        ssize_t n = tee(fd, t[1], (size_t)queued, SPLICE_F_NONBLOCK);
        if (n < 0)
            r = neg_errno();
        for (ssize_t got = 0; r == 0 && got < n;) {
            ssize_t m = read(t[0], (char *)buf + got, (size_t)(n - got));
            if (m <= 0)
                r = m < 0 ? neg_errno() : -LX_EIO;
            else
                got += m;
        }
        if (r == 0)
            r = n;
    }
    close(t[0]);
    close(t[1]);
    return r;
#else
    (void)fd, (void)buf, (void)size;
    return -LX_ENOSYS;
#endif
}

/* Queues len bytes in the pipe whose write end is fd (made big enough
 * first), without blocking: a restored pipe gets its contents back. */
int host_pipe_fill(int fd, const void *data, size_t len)
{
    if (len == 0)
        return 0;
#ifdef F_SETPIPE_SZ
    int size = fcntl(fd, F_GETPIPE_SZ);
    if (size >= 0 && (size_t)size < len && fcntl(fd, F_SETPIPE_SZ, (int)len) < 0)
        return neg_errno();
#endif
    int fl = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, fl | O_NONBLOCK);
    size_t done = 0;
    int r = 0;
    while (done < len) {
        ssize_t n = write(fd, (const char *)data + done, len - done);
        if (n <= 0) {
            r = n < 0 && errno != EINTR ? neg_errno() : n == 0 ? -LX_EIO : 0;
            if (r)
                break;
            continue;
        }
        done += (size_t)n;
    }
    fcntl(fd, F_SETFL, fl);
    return r;
}

int host_lock(int fd, int lx_cmd, int *type, int whence, int64_t *start, int64_t *len, int *pid)
{
    struct flock fl;
    memset(&fl, 0, sizeof fl);
    switch (*type) {
    case LX_F_RDLCK: fl.l_type = F_RDLCK; break;
    case LX_F_WRLCK: fl.l_type = F_WRLCK; break;
    case LX_F_UNLCK: fl.l_type = F_UNLCK; break;
    default: return -LX_EINVAL;
    }
    switch (whence) {
    case LX_SEEK_SET: fl.l_whence = SEEK_SET; break;
    case LX_SEEK_CUR: fl.l_whence = SEEK_CUR; break;
    case LX_SEEK_END: fl.l_whence = SEEK_END; break;
    default: return -LX_EINVAL;
    }
    fl.l_start = (off_t)*start;
    fl.l_len = (off_t)*len;
    int cmd;
    switch (lx_cmd) {
    case LX_F_GETLK: cmd = F_GETLK; break;
    case LX_F_SETLK: cmd = F_SETLK; break;
    case LX_F_SETLKW: cmd = F_SETLKW; break;
    default: return -LX_EINVAL;
    }
    int r;
    do
        r = fcntl(fd, cmd, &fl);
    while (r != 0 && errno == EINTR);
    if (r != 0)
        return neg_errno();
    if (lx_cmd == LX_F_GETLK) {
        *type = fl.l_type == F_RDLCK ? LX_F_RDLCK : fl.l_type == F_WRLCK ? LX_F_WRLCK : LX_F_UNLCK;
        *start = fl.l_start;
        *len = fl.l_len;
        *pid = (int)fl.l_pid;
    }
    return 0;
}

int host_flock(int fd, int op)
{
    int h = 0;
    switch (op & ~4) {      /* LOCK_NB = 4 */
    case 1: h = LOCK_SH; break;
    case 2: h = LOCK_EX; break;
    case 8: h = LOCK_UN; break;
    default: return -LX_EINVAL;
    }
    if (op & 4)
        h |= LOCK_NB;
    int r;
    do
        r = flock(fd, h);
    while (r != 0 && errno == EINTR);
    return r != 0 ? neg_errno() : 0;
}

bool host_isatty(int fd)
{
    return isatty(fd) == 1;
}

/*
 * Terminal attributes. A Linux host (other than the few architectures
 * with their own termbits) numbers every flag as riscv64 does, so the
 * values pass unchanged; on other hosts the guest sees a fixed, sane
 * cooked-mode terminal and its changes are not applied.
 */
#if defined(__linux__) && !defined(__alpha__) && !defined(__mips__) && \
    !defined(__sparc__) && !defined(__powerpc__) && !defined(__hppa__)
#define HOST_LINUX_TERMIOS 1
#endif

int host_tcgets(int fd, uint8_t k[36])
{
    struct termios t;
    if (tcgetattr(fd, &t) != 0)
        return neg_errno();
    memset(k, 0, 36);
#ifdef HOST_LINUX_TERMIOS
    uint32_t f[4] = { (uint32_t)t.c_iflag, (uint32_t)t.c_oflag, (uint32_t)t.c_cflag, (uint32_t)t.c_lflag };
    for (int i = 0; i < 4; i++) {
        k[i * 4] = (uint8_t)f[i];
        k[i * 4 + 1] = (uint8_t)(f[i] >> 8);
        k[i * 4 + 2] = (uint8_t)(f[i] >> 16);
        k[i * 4 + 3] = (uint8_t)(f[i] >> 24);
    }
    k[16] = t.c_line;
    for (int i = 0; i < 19 && i < NCCS; i++)
        k[17 + i] = t.c_cc[i];
#else
    /* ICRNL|IXON, OPOST|ONLCR, B38400|CS8|CREAD, ISIG|ICANON|ECHO|ECHOE|ECHOK|ECHOCTL|ECHOKE|IEXTEN */
    static const uint8_t sane[36] = {
        0x00, 0x05, 0, 0, 0x05, 0, 0, 0, 0xbf, 0, 0, 0, 0x3b, 0x8a, 0, 0, 0,
        3, 28, 127, 21, 4, 0, 1, 0, 17, 19, 26, 0, 18, 15, 23, 22, 0, 0, 0,
    };
    memcpy(k, sane, 36);
#endif
    return 0;
}

int host_tcsets(int fd, int lx_req, const uint8_t k[36])
{
    struct termios t;
    if (tcgetattr(fd, &t) != 0)
        return neg_errno();
#ifdef HOST_LINUX_TERMIOS
    uint32_t f[4];
    for (int i = 0; i < 4; i++)
        f[i] = (uint32_t)k[i * 4] | (uint32_t)k[i * 4 + 1] << 8 |
               (uint32_t)k[i * 4 + 2] << 16 | (uint32_t)k[i * 4 + 3] << 24;
    t.c_iflag = f[0];
    t.c_oflag = f[1];
    t.c_cflag = f[2];
    t.c_lflag = f[3];
    t.c_line = k[16];
    for (int i = 0; i < 19 && i < NCCS; i++)
        t.c_cc[i] = k[17 + i];
    int how = lx_req == LX_TCSETSW ? TCSADRAIN : lx_req == LX_TCSETSF ? TCSAFLUSH : TCSANOW;
    return tcsetattr(fd, how, &t) != 0 ? neg_errno() : 0;
#else
    (void)lx_req;
    (void)k;
    return 0;
#endif
}

int host_winsize(int fd, uint16_t ws[4])
{
    struct winsize w;
    if (ioctl(fd, TIOCGWINSZ, &w) != 0)
        return neg_errno();
    ws[0] = w.ws_row;
    ws[1] = w.ws_col;
    ws[2] = w.ws_xpixel;
    ws[3] = w.ws_ypixel;
    return 0;
}

int host_fionread(int fd, int *count)
{
    int n = 0;
    if (ioctl(fd, FIONREAD, &n) != 0)
        return neg_errno();
    *count = n;
    return 0;
}

static short poll_to_host(short e)
{
    short h = 0;
    if (e & LX_POLLIN) h |= POLLIN;
    if (e & LX_POLLPRI) h |= POLLPRI;
    if (e & LX_POLLOUT) h |= POLLOUT;
    return h;
}

static short poll_to_lx(short h)
{
    short e = 0;
    if (h & POLLIN) e |= LX_POLLIN;
    if (h & POLLPRI) e |= LX_POLLPRI;
    if (h & POLLOUT) e |= LX_POLLOUT;
    if (h & POLLERR) e |= LX_POLLERR;
    if (h & POLLHUP) e |= LX_POLLHUP;
    if (h & POLLNVAL) e |= LX_POLLNVAL;
    return e;
}

int host_poll(struct host_pollfd *fds, size_t n, int timeout_ms)
{
    struct pollfd small[16];
    struct pollfd *p = n <= 16 ? small : calloc(n, sizeof *p);
    if (!p)
        return -LX_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        p[i].fd = fds[i].fd;
        p[i].events = poll_to_host(fds[i].events);
        p[i].revents = 0;
    }
    int r = poll(p, (nfds_t)n, timeout_ms);
    int e = r < 0 ? neg_errno() : 0;
    for (size_t i = 0; r >= 0 && i < n; i++)
        fds[i].revents = poll_to_lx(p[i].revents);
    if (p != small)
        free(p);
    return r < 0 ? e : r;
}

struct host_dir {
    DIR *d;
};

int host_dir_open(int dir_fd, struct host_dir **out)
{
    /* A fresh open file of the same directory: the stream owns it. */
    int fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return neg_errno();
    struct host_dir *d = malloc(sizeof *d);
    if (!d) {
        close(fd);
        return -LX_ENOMEM;
    }
    d->d = fdopendir(fd);
    if (!d->d) {
        int e = neg_errno();
        close(fd);
        free(d);
        return e;
    }
    *out = d;
    return 0;
}

static uint8_t dtype_to_lx(unsigned t)
{
    switch (t) {
#ifdef DT_DIR
    case DT_FIFO: return LX_DT_FIFO;
    case DT_CHR: return LX_DT_CHR;
    case DT_DIR: return LX_DT_DIR;
    case DT_BLK: return LX_DT_BLK;
    case DT_REG: return LX_DT_REG;
    case DT_LNK: return LX_DT_LNK;
    case DT_SOCK: return LX_DT_SOCK;
#endif
    default: return LX_DT_UNKNOWN;
    }
}

int host_dir_read(struct host_dir *d, struct host_dirent *e)
{
    errno = 0;
    struct dirent *de = readdir(d->d);
    if (!de)
        return errno ? neg_errno() : 0;
    e->ino = (uint64_t)de->d_ino;
#ifdef DT_DIR
    e->type = dtype_to_lx(de->d_type);
#else
    e->type = LX_DT_UNKNOWN;
#endif
    size_t n = strlen(de->d_name);
    if (n > 255)
        n = 255;
    memcpy(e->name, de->d_name, n);
    e->name[n] = 0;
    e->off = (int64_t)telldir(d->d);
    return 1;
}

int64_t host_dir_tell(struct host_dir *d)
{
    return (int64_t)telldir(d->d);
}

void host_dir_seek(struct host_dir *d, int64_t off)
{
    if (off == 0)
        rewinddir(d->d);
    else
        seekdir(d->d, (long)off);
}

void host_dir_close(struct host_dir *d)
{
    if (d) {
        closedir(d->d);
        free(d);
    }
}

int host_fstatfs(int fd, struct host_statfs *st)
{
    memset(st, 0, sizeof *st);
#if defined(__linux__)
    struct statfs s;
    if (fstatfs(fd, &s) != 0)
        return neg_errno();
    st->type = (uint64_t)s.f_type;
    st->bsize = (uint64_t)s.f_bsize;
    st->blocks = (uint64_t)s.f_blocks;
    st->bfree = (uint64_t)s.f_bfree;
    st->bavail = (uint64_t)s.f_bavail;
    st->files = (uint64_t)s.f_files;
    st->ffree = (uint64_t)s.f_ffree;
    st->namelen = (uint64_t)s.f_namelen;
    st->frsize = (uint64_t)s.f_frsize;
    st->flags = (uint64_t)s.f_flags;
#else
    struct statvfs s;
    if (fstatvfs(fd, &s) != 0)
        return neg_errno();
    st->type = 0x01021994;      /* TMPFS_MAGIC: some file system, in memory or not */
    st->bsize = (uint64_t)s.f_bsize;
    st->blocks = (uint64_t)s.f_blocks;
    st->bfree = (uint64_t)s.f_bfree;
    st->bavail = (uint64_t)s.f_bavail;
    st->files = (uint64_t)s.f_files;
    st->ffree = (uint64_t)s.f_ffree;
    st->namelen = (uint64_t)s.f_namemax;
    st->frsize = (uint64_t)s.f_frsize;
#endif
    return 0;
}

uint32_t host_euid(void) { return (uint32_t)geteuid(); }
uint32_t host_egid(void) { return (uint32_t)getegid(); }
