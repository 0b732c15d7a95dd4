/*
 * unix.c — the monitor's own Unix domain sockets (host/unix.h).
 */
#include "host/unix.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

int host_private_dir(const char *path)
{
    if (mkdir(path, 0700) != 0 && errno != EEXIST)
        return -errno;
    struct stat st;
    if (lstat(path, &st) != 0)
        return -errno;
    if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077))
        return -EPERM;
    return 0;
}

static int address(const char *path, struct sockaddr_un *a)
{
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    if (strlen(path) >= sizeof a->sun_path)
        return -ENAMETOOLONG;
    strcpy(a->sun_path, path);
    return 0;
}

int host_unix_connect(const char *path)
{
    struct sockaddr_un a;
    int r = address(path, &a);
    if (r < 0)
        return r;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        r = -errno;
        close(fd);
        return r;
    }
#ifdef SO_NOSIGPIPE
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof one);
#endif
    return fd;
}

int host_unix_listen(const char *path)
{
    struct sockaddr_un a;
    int r = address(path, &a);
    if (r < 0)
        return r;
    int c = host_unix_connect(path);
    if (c >= 0) {
        close(c);
        return -EADDRINUSE;     /* a running VM has that name */
    }
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
        unlink(path);           /* left by a monitor that is gone */
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    mode_t old = umask(0177);     /* the socket: read and write for its owner only */
    r = bind(fd, (struct sockaddr *)&a, sizeof a) == 0 && listen(fd, 16) == 0 ? 0 : -errno;
    umask(old);
    if (r < 0) {
        close(fd);
        return r;
    }
    return fd;
}

/* Until fd can be read: 0, -ETIMEDOUT after timeout_ms (-1: none), or -errno. */
static int wait_readable(int fd, int timeout_ms)
{
    for (;;) {
        struct pollfd p = { fd, POLLIN, 0 };
        int n = poll(&p, 1, timeout_ms);
        if (n > 0)
            return 0;
        if (n == 0)
            return -ETIMEDOUT;
        if (errno != EINTR)
            return -errno;
    }
}

int host_unix_accept(int lfd, int timeout_ms)
{
    for (;;) {
        int w = wait_readable(lfd, timeout_ms);
        if (w < 0)
            return w;
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0)
            return errno == EINTR || errno == EAGAIN || errno == ECONNABORTED ? -EAGAIN : -errno;
        fcntl(fd, F_SETFD, FD_CLOEXEC);
#ifdef SO_PEERCRED
        struct ucred cr;
        socklen_t len = sizeof cr;
        if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) != 0 || cr.uid != geteuid()) {
            close(fd);          /* the directory's mode keeps others out; this too */
            return -EACCES;
        }
#endif
        return fd;
    }
}

long host_read_line(int fd, char *buf, size_t size, int timeout_ms)
{
    size_t n = 0;
    for (;;) {
        int w = wait_readable(fd, timeout_ms);
        if (w < 0)
            return w;
        char c;
        ssize_t r = read(fd, &c, 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -errno;
        if (r == 0) {
            if (n == 0)
                return 0;
            break;
        }
        if (c == '\n')
            break;
        if (n + 1 >= size)
            return -EMSGSIZE;
        buf[n++] = c;
    }
    buf[n] = 0;
    return (long)n;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int host_dir_names(const char *dir, const char *suffix, char ***out)
{
    *out = NULL;
    DIR *d = opendir(dir);
    if (!d)
        return -errno;
    char **v = NULL;
    int n = 0, cap = 0;
    size_t sl = strlen(suffix);
    for (struct dirent *e; (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        if (len <= sl || strcmp(e->d_name + len - sl, suffix) != 0)
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 16;
            char **g = realloc(v, (size_t)cap * sizeof *g);
            if (!g)
                break;
            v = g;
        }
        if (!(v[n] = strndup(e->d_name, len - sl)))
            break;
        n++;
    }
    closedir(d);
    if (n)
        qsort(v, (size_t)n, sizeof *v, by_name);
    *out = v;
    return n;
}

void host_dir_names_free(char **names, int n)
{
    for (int i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

char *host_abs_path(const char *path)
{
    char dir[PATH_MAX];
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    if (!*base)
        return NULL;
    char *d = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
    char *r = d ? realpath(d, dir) : NULL;
    free(d);
    if (!r)
        return NULL;
    size_t n = strlen(dir) + strlen(base) + 2;
    char *out = malloc(n);
    if (out)
        snprintf(out, n, "%s%s%s", dir, strcmp(dir, "/") ? "/" : "", base);
    return out;
}

int host_send_all(int fd, const void *buf, size_t n)
{
    const char *p = buf;
    for (size_t done = 0; done < n;) {
        ssize_t k = send(fd, p + done, n - done, MSG_NOSIGNAL);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return k < 0 ? -errno : -EPIPE;
        done += (size_t)k;
    }
    return 0;
}
