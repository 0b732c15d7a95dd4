/*
 * file.c — whole-file I/O on a POSIX host (see host/file.h).
 */
#include "host/file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int neg_errno(void)
{
    return errno ? -errno : -EIO;
}

int host_file_create_temp(const char *path, char *tmp, size_t tmplen)
{
    int n = snprintf(tmp, tmplen, "%s.tmp.XXXXXX", path);
    if (n < 0 || (size_t)n >= tmplen)
        return -ENAMETOOLONG;
    int fd = mkostemp(tmp, O_CLOEXEC);
    return fd >= 0 ? fd : neg_errno();
}

int host_file_open_read(const char *path)
{
    int fd;
    do
        fd = open(path, O_RDONLY | O_CLOEXEC);
    while (fd < 0 && errno == EINTR);
    return fd >= 0 ? fd : neg_errno();
}

/* Writes all n bytes at off (< 0: at the file position, which moves). */
static int write_all_at(int fd, const void *buf, size_t n, int64_t off)
{
    const char *p = buf;
    while (n > 0) {
        ssize_t w = off < 0 ? write(fd, p, n) : pwrite(fd, p, n, (off_t)off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return neg_errno();
        if (w == 0)
            return -EIO;
        p += w;
        n -= (size_t)w;
        if (off >= 0)
            off += w;
    }
    return 0;
}

int host_file_write_all(int fd, const void *buf, size_t n)
{
    return write_all_at(fd, buf, n, -1);
}

int host_file_pwrite_full(int fd, const void *buf, size_t n, uint64_t off)
{
    return off > INT64_MAX ? -EINVAL : write_all_at(fd, buf, n, (int64_t)off);
}

/* Reads until n bytes, the end of the file or an error; at off (< 0: the
 * file position, which moves). */
static int64_t read_full_at(int fd, void *buf, size_t n, int64_t off)
{
    char *p = buf;
    size_t got = 0;
    while (got < n) {
        ssize_t r = off < 0 ? read(fd, p + got, n - got) : pread(fd, p + got, n - got, (off_t)(off + (int64_t)got));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return neg_errno();
        if (r == 0)
            break;
        got += (size_t)r;
    }
    return (int64_t)got;
}

int64_t host_file_read_full(int fd, void *buf, size_t n)
{
    return read_full_at(fd, buf, n, -1);
}

int64_t host_file_pread_full(int fd, void *buf, size_t n, uint64_t off)
{
    return off > INT64_MAX ? -EINVAL : read_full_at(fd, buf, n, (int64_t)off);
}

int host_file_size(int fd, uint64_t *size)
{
    struct stat st;
    if (fstat(fd, &st) != 0)
        return neg_errno();
    if (!S_ISREG(st.st_mode))
        return -ESPIPE;
    *size = (uint64_t)st.st_size;
    return 0;
}

int host_file_identity(int fd, struct host_file_id *id)
{
    struct stat st;
    if (fstat(fd, &st) != 0)
        return neg_errno();
    if (!S_ISREG(st.st_mode))
        return -ESPIPE;
    id->dev = (uint64_t)st.st_dev;
    id->ino = (uint64_t)st.st_ino;
    id->size = (uint64_t)st.st_size;
    id->mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
    id->ctime_ns = (int64_t)st.st_ctim.tv_sec * 1000000000 + st.st_ctim.tv_nsec;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    int64_t now_ns = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
    id->settled = now_ns - id->ctime_ns >= 2000000000 && now_ns - id->mtime_ns >= 2000000000;
    return 0;
}

int host_file_sync(int fd)
{
    int r;
    do
        r = fsync(fd);
    while (r != 0 && errno == EINTR);
    return r == 0 ? 0 : neg_errno();
}

int host_file_close(int fd)
{
    if (fd < 0)
        return 0;
    return close(fd) != 0 && errno != EINTR ? neg_errno() : 0;
}

int host_file_rename(const char *from, const char *to)
{
    return rename(from, to) == 0 ? 0 : neg_errno();
}

int host_file_unlink(const char *path)
{
    return unlink(path) == 0 ? 0 : neg_errno();
}

int host_dir_sync(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
    if (!dir)
        return -ENOMEM;
    int fd;
    do
        fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    while (fd < 0 && errno == EINTR);
    int r = fd >= 0 ? 0 : neg_errno();
    free(dir);
    if (r == 0) {
        r = host_file_sync(fd);
        if (r == -EINVAL)
            r = 0;
        close(fd);
    }
    return r;
}

const char *host_file_strerror(int err)
{
    return strerror(err < 0 ? -err : err);
}
