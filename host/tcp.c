/*
 * tcp.c — the monitor's own TCP connections (host/tcp.h).
 */
#include "host/tcp.h"

#include <errno.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

/* "IPV4:PORT", "[IPV6]:PORT" or "localhost:PORT" (no name lookup: a
 * static monitor has no resolver). */
static int resolve(const char *addr, struct sockaddr_storage *ss, socklen_t *len)
{
    char host[64];
    const char *colon = strrchr(addr, ':');
    if (!colon || colon == addr || (size_t)(colon - addr) >= sizeof host)
        return -EINVAL;
    size_t n = (size_t)(colon - addr);
    const char *h = addr;
    bool v6 = addr[0] == '[' && colon[-1] == ']';
    if (v6) {
        h++;
        n -= 2;
    }
    memcpy(host, h, n);
    host[n] = 0;
    char *end;
    unsigned long port = strtoul(colon + 1, &end, 10);
    if (!colon[1] || *end || port > 65535)
        return -EINVAL;
    memset(ss, 0, sizeof *ss);
    if (v6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons((uint16_t)port);
        *len = sizeof *a;
        return inet_pton(AF_INET6, host, &a->sin6_addr) == 1 ? 0 : -EINVAL;
    }
    struct sockaddr_in *a = (struct sockaddr_in *)ss;
    a->sin_family = AF_INET;
    a->sin_port = htons((uint16_t)port);
    *len = sizeof *a;
    if (strcmp(host, "localhost") == 0)
        strcpy(host, "127.0.0.1");
    return inet_pton(AF_INET, host, &a->sin_addr) == 1 ? 0 : -EINVAL;
}

/* Little in flight: a sender is then only as far ahead of its receiver as
 * these buffers (the host's autotuning may allow tens of MiB), so that
 * when it stops a VM to send the rest, the receiver is not still busy
 * with earlier rounds while the VM stands still. */
static void small_buffers(int fd)
{
    int size = 1 << 20;
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
}

static void no_sigpipe(void)
{
    signal(SIGPIPE, SIG_IGN);   /* write() gives EPIPE instead */
}

int host_tcp_listen(const char *addr, char *bound, size_t size)
{
    struct sockaddr_storage ss;
    socklen_t len;
    int r = resolve(addr, &ss, &len);
    if (r < 0)
        return r;
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
    if (fd >= 0)
        small_buffers(fd);      /* the accepted socket inherits them */
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(fd, (struct sockaddr *)&ss, len) != 0 || listen(fd, 1) != 0 ||
        getsockname(fd, (struct sockaddr *)&ss, &len) != 0) {
        r = -errno;
        if (fd >= 0)
            close(fd);
        return r;
    }
    char h[INET6_ADDRSTRLEN];
    if (ss.ss_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)&ss;
        inet_ntop(AF_INET6, &a->sin6_addr, h, sizeof h);
        snprintf(bound, size, "[%s]:%u", h, ntohs(a->sin6_port));
    } else {
        const struct sockaddr_in *a = (const struct sockaddr_in *)&ss;
        inet_ntop(AF_INET, &a->sin_addr, h, sizeof h);
        snprintf(bound, size, "%s:%u", h, ntohs(a->sin_port));
    }
    return fd;
}

int host_tcp_accept(int lfd)
{
    int fd;
    while ((fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) < 0 && errno == EINTR)
        ;
    int r = fd < 0 ? -errno : fd;
    close(lfd);
    no_sigpipe();
    return r;
}

int host_tcp_connect(const char *addr, int timeout_s)
{
    struct sockaddr_storage ss;
    socklen_t len;
    int r = resolve(addr, &ss, &len);
    if (r < 0)
        return r;
    no_sigpipe();
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    struct timeval tv = { .tv_sec = timeout_s };
    small_buffers(fd);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    while (connect(fd, (struct sockaddr *)&ss, len) != 0) {
        if (errno == EINTR)
            continue;
        r = -errno;
        close(fd);
        return r;
    }
    return fd;
}
