/*
 * net_save.c — sockets, eventfds and timerfds in a snapshot (the FILES
 * section of user/save.c; docs/snapshot-format.md has the bytes).
 *
 * What comes back, decided by what a guest can rely on across a move:
 *   - a listening TCP/UDP socket listens again on the same granted address
 *     (connections it had not accepted yet are lost, as if reset);
 *   - a connected TCP socket comes back reset: its next receive fails with
 *     ECONNRESET, as when the peer vanished — its peer is on another
 *     machine, or gone, when a VM moves; a connected UDP socket is
 *     connected again to the same granted address;
 *   - a socket not yet bound or connected comes back as it was, one bound
 *     to a granted address is bound to it again;
 *   - both ends of a Unix socket pair made inside the VM come back joined,
 *     with the bytes queued in each (stream pairs); a Unix stream socket
 *     connected to a name comes back as closed by its peer;
 *   - an eventfd with its count; a timerfd with its clock, the time left
 *     and the interval (expirations not yet read count as one).
 * Socket options other than O_NONBLOCK are not carried (a listening
 * socket gets SO_REUSEADDR, so that it can listen again at once).
 *   - an epoll instance comes back empty; what it watched is registered
 *     again by the EPOLL section (user/save_files.c), with the same events
 *     and data: an edge-triggered item reports what is ready at once.
 * Refused, with the reason: Unix sockets bound to a name, datagram pairs
 * with messages queued.
 *
 * Saving changes nothing the guest can see: queued bytes are peeked, an
 * eventfd's count is read and written back (the VM is stopped).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/fs.h"
#include "host/host.h"
#include "host/net.h"
#include "snap/format.h"
#include "user/fs.h"
#include "user/fs_int.h"
#include "user/lx.h"
#include "user/net.h"
#include "user/net_int.h"
#include "user/net_save.h"

enum { ST_FRESH, ST_BOUND, ST_LISTEN, ST_CONNECTED };

#define QUEUE_MAX (1u << 20)    /* bytes of a pair's queue a snapshot carries */

static int say(char *err, size_t errlen, int r, int fd, const char *what)
{
    snprintf(err, errlen, "fd %d is %s, which a snapshot cannot hold yet", fd, what);
    return r;
}

/* As a grant names it: "127.0.0.1:80", "[::1]:80". */
static void addr_text(const struct host_sockaddr *a, char *out, size_t size)
{
    if (a->family == LX_AF_INET) {
        snprintf(out, size, "%u.%u.%u.%u:%u", a->ip[0], a->ip[1], a->ip[2], a->ip[3], a->port);
        return;
    }
    char ip[48] = "";
    for (int i = 0; i < 16; i += 2)
        snprintf(ip + strlen(ip), sizeof ip - strlen(ip), "%s%x", i ? ":" : "", a->ip[i] << 8 | a->ip[i + 1]);
    snprintf(out, size, "[%s]:%u", ip, a->port);
}

static void put_addr(struct snap_buf *b, const struct host_sockaddr *a)
{
    snap_put_u32(b, (uint32_t)a->family);
    snap_put_bytes(b, a->ip, 16);
    snap_put_u16(b, a->port);
}

static bool get_addr(struct snap_cur *c, struct host_sockaddr *a)
{
    *a = (struct host_sockaddr){ .family = (int)snap_get_u32(c) };
    const uint8_t *ip = snap_get_bytes(c, 16);
    a->port = snap_get_u16(c);
    if (ip)
        memcpy(a->ip, ip, 16);
    return !c->bad && (a->family == LX_AF_INET || a->family == LX_AF_INET6);
}

static int save_socket(const struct file *f, int fd, struct snap_buf *b, struct net_pairs *pairs, uint8_t *buf,
                       char *err, size_t errlen)
{
    const struct sock *s = f->sock;
    int listening = 0;
    struct host_sockaddr name, peer;
    bool connected = host_getpeername(f->fd, &peer) == 0;
    host_getsockopt_int(f->fd, LX_SOL_SOCKET, LX_SO_ACCEPTCONN, &listening);
    int state = listening ? ST_LISTEN : connected ? ST_CONNECTED : s->bound ? ST_BOUND : ST_FRESH;
    if (s->domain != LX_AF_UNIX && state == ST_BOUND && host_getsockname(f->fd, &name) != 0)
        return say(err, errlen, -LX_EIO, fd, "a socket whose address cannot be read");
    snap_put_u32(b, (uint32_t)s->domain);
    snap_put_u32(b, (uint32_t)s->type);
    snap_put_u32(b, (uint32_t)s->protocol);
    snap_put_u8(b, (uint8_t)state);
    if (s->domain != LX_AF_UNIX) {
        if (state == ST_LISTEN || state == ST_BOUND) {
            if (state == ST_LISTEN && host_getsockname(f->fd, &name) != 0)
                return say(err, errlen, -LX_EIO, fd, "a socket whose address cannot be read");
            put_addr(b, &name);
        } else if (state == ST_CONNECTED && s->type == LX_SOCK_DGRAM) {
            put_addr(b, &peer);
        }
        return 0;
    }
    /* Unix: a pair made here is numbered as met; its queue goes along. */
    uint32_t id = 0;
    if (s->pair && connected) {
        while (id < pairs->n && pairs->serial[id] != s->pair)
            id++;
        if (id == pairs->n)
            pairs->serial[pairs->n++] = s->pair;
        id++;
    }
    long n = 0;
    if (id) {
        int out_flags = 0, nfds = 0;
        n = host_recvmsg(f->fd, buf, QUEUE_MAX, LX_MSG_PEEK | LX_MSG_DONTWAIT, NULL, NULL, &nfds, &out_flags);
        if (n == -LX_EAGAIN)
            n = 0;
        if (n < 0)
            return say(err, errlen, -LX_EIO, fd, "a Unix socket whose queue cannot be read");
        if (n > 0 && s->type != LX_SOCK_STREAM)
            return say(err, errlen, -LX_ENOTSUP, fd, "a Unix datagram pair with messages queued");
        if ((size_t)n == QUEUE_MAX)
            return say(err, errlen, -LX_ENOTSUP, fd, "a Unix socket with more than 1 MiB queued");
    }
    snap_put_u32(b, id);
    snap_put_u8(b, s->end);
    snap_put_u32(b, (uint32_t)n);
    snap_put_bytes(b, buf, (size_t)n);
    return 0;
}

int net_check_file(const struct file *f, int fd, char *err, size_t errlen)
{
    const struct sock *s = f->sock;
    int listening = 0;
    if (s->kind == SK_SOCKET && s->domain == LX_AF_UNIX &&
        (s->upath || (host_getsockopt_int(f->fd, LX_SOL_SOCKET, LX_SO_ACCEPTCONN, &listening) == 0 && listening)))
        return say(err, errlen, -LX_ENOTSUP, fd, "a Unix socket bound to a name");
    return 0;
}

int net_save_file(const struct file *f, int fd, struct snap_buf *b, struct net_pairs *pairs, uint8_t *buf,
                  char *err, size_t errlen)
{
    int r = net_check_file(f, fd, err, errlen);
    if (r != 0)
        return r;
    const struct sock *s = f->sock;
    snap_put_u8(b, (uint8_t)s->kind);
    switch (s->kind) {
    case SK_SOCKET:
        return save_socket(f, fd, b, pairs, buf, err, errlen);
    case SK_EPOLL:      /* what it watches: the EPOLL section (user/save_files.c) */
        return 0;
    case SK_EVENTFD: {
        /* Its count: read (nothing waits on it: the VM is stopped) and given back. */
        uint64_t v = 0;
        struct host_pollfd hp = { f->fd, LX_POLLIN, 0 };
        if (host_poll(&hp, 1, 0) == 1) {
            uint64_t one;
            while (host_poll(&hp, 1, 0) == 1 && host_read(f->fd, &one, 8) == 8)
                v += one;       /* a semaphore gives one at a time */
            if (v && host_write(f->fd, &v, 8) != 8)
                return say(err, errlen, -LX_EIO, fd, "an eventfd whose count cannot be read");
        }
        snap_put_u32(b, (uint32_t)s->eflags);
        snap_put_u64(b, v);
        return 0;
    }
    case SK_TIMERFD: {
        int64_t cur[4];
        if (host_timerfd_gettime(f->fd, cur) < 0)
            return say(err, errlen, -LX_EIO, fd, "a timerfd that cannot be read");
        struct host_pollfd hp = { f->fd, LX_POLLIN, 0 };
        snap_put_u32(b, (uint32_t)s->eflags);
        snap_put_u64(b, (uint64_t)(cur[0] * 1000000000 + cur[1]));    /* interval */
        snap_put_u64(b, (uint64_t)(cur[2] * 1000000000 + cur[3]));    /* left */
        snap_put_u8(b, host_poll(&hp, 1, 0) == 1);                    /* expired, unread */
        return 0;
    }
    }
    return say(err, errlen, -LX_ENOTSUP, fd, net_sock_kind(s));
}

/* ------------------------------------------------------------ restoring */

static int bad(char *err, size_t errlen)
{
    snprintf(err, errlen, "the files section is malformed (a socket)");
    return -LX_EBADMSG;
}

static int failed(char *err, size_t errlen, int r, const char *what)
{
    snprintf(err, errlen, "cannot make %s again: %s", what, strerror(-r));
    return r;
}

/* A socket of the kind s is, its host handle made as the state says. */
static int make_socket(struct fs *fs, struct snap_cur *c, struct sock *s, int flags, struct net_pairs *pairs,
                       char *err, size_t errlen)
{
    int state = snap_get_u8(c);
    struct host_sockaddr a;
    if (c->bad || state > ST_CONNECTED)
        return bad(err, errlen);
    if (s->domain != LX_AF_UNIX) {
        bool addr = state == ST_LISTEN || state == ST_BOUND || (state == ST_CONNECTED && s->type == LX_SOCK_DGRAM);
        if (addr && (!get_addr(c, &a) || a.family != s->domain))
            return bad(err, errlen);
        if (state == ST_CONNECTED && s->type == LX_SOCK_STREAM) {
            int h = host_tcp_reset(flags);      /* the connection is gone: reset */
            return h < 0 ? failed(err, errlen, h, "a reset connection") : h;
        }
        int dir = state == ST_CONNECTED ? NET_CONNECT : NET_LISTEN;
        if (addr && !net_granted(fs, dir, &a)) {
            char at[80];
            addr_text(&a, at, sizeof at);
            snprintf(err, errlen, "it had a socket %s %s: grant it again (--%s %s)", dir == NET_LISTEN ? "on" : "to",
                     at, dir == NET_LISTEN ? "listen" : "connect", at);
            return -LX_EACCES;
        }
        int h = host_socket(s->domain, s->type | (flags & LX_O_NONBLOCK), s->protocol);
        if (h < 0)
            return failed(err, errlen, h, "a socket");
        int r = 0;
        if (state == ST_LISTEN)
            host_setsockopt_int(h, LX_SOL_SOCKET, LX_SO_REUSEADDR, 1);
        if (state == ST_LISTEN || state == ST_BOUND)
            r = host_bind(h, &a);
        if (r == 0 && state == ST_LISTEN)
            r = host_listen(h, 128);
        if (r == 0 && state == ST_CONNECTED)
            r = host_connect(h, &a);
        if (r < 0) {
            host_close(h);
            return failed(err, errlen, r, state == ST_LISTEN ? "a listening socket" : "a socket's address");
        }
        return h;
    }
    uint32_t id = snap_get_u32(c);
    unsigned end = snap_get_u8(c);
    uint32_t n = snap_get_u32(c);
    const uint8_t *q = n ? snap_get_bytes(c, n) : NULL;
    if (c->bad || id > pairs->n || end > 1 || n > QUEUE_MAX || (n && !id) || (id && pairs->used[id - 1][end]))
        return bad(err, errlen);
    int type = s->type | (flags & LX_O_NONBLOCK);
    if (!id && state != ST_CONNECTED) {
        int h = host_socket(LX_AF_UNIX, type, 0);
        return h < 0 ? failed(err, errlen, h, "a socket") : h;
    }
    int fds[2], r;
    if (!id) {
        /* Connected to a name: comes back closed by its peer. */
        if ((r = host_socketpair(LX_AF_UNIX, type, 0, fds)) < 0)
            return failed(err, errlen, r, "a socket");
        host_close(fds[1]);
        return fds[0];
    }
    int (*pf)[2] = pairs->fd;
    id--;
    if (pf[id][0] < 0 && (r = host_socketpair(LX_AF_UNIX, s->type, 0, pf[id])) < 0) {
        pf[id][0] = pf[id][1] = -1;     /* the first end met makes the pair */
        return failed(err, errlen, r, "a socket pair");
    }
    /* This end reads what was queued for it: written from the other end. */
    if (n && (r = host_pipe_fill(pf[id][!end], q, n)) < 0)
        return failed(err, errlen, r, "a socket pair's queue");
    int h = pf[id][end];
    pairs->used[id][end] = true;
    if (flags & LX_O_NONBLOCK)
        host_setfl(h, LX_O_RDWR | LX_O_NONBLOCK);
    return h;
}

struct file *net_restore_file(struct fs *fs, struct snap_cur *c, int flags, struct net_pairs *pairs, int *r,
                              char *err, size_t errlen)
{
    struct sock s = { .kind = snap_get_u8(c) };
    int h = -1;
    switch (s.kind) {
    case SK_SOCKET:
        s.domain = (int)snap_get_u32(c);
        s.type = (int)snap_get_u32(c);
        s.protocol = (int)snap_get_u32(c);
        if (c->bad || (s.domain != LX_AF_UNIX && s.domain != LX_AF_INET && s.domain != LX_AF_INET6) ||
            (s.type != LX_SOCK_STREAM && s.type != LX_SOCK_DGRAM && s.type != LX_SOCK_SEQPACKET) ||
            (s.domain != LX_AF_UNIX && s.type == LX_SOCK_SEQPACKET) || s.protocol < 0 || s.protocol > 255) {
            *r = bad(err, errlen);
            return NULL;
        }
        h = make_socket(fs, c, &s, flags, pairs, err, errlen);
        s.bound = s.domain != LX_AF_UNIX;      /* bound when it was (or harmless: it listens or is fresh) */
        break;
    case SK_EPOLL:
        if ((h = host_epoll_create(0)) < 0)
            h = failed(err, errlen, h, "an epoll instance");
        break;
    case SK_EVENTFD: {
        s.eflags = (int)snap_get_u32(c) & 1;
        uint64_t v = snap_get_u64(c);
        if (c->bad || v == UINT64_MAX) {
            *r = bad(err, errlen);
            return NULL;
        }
        h = host_eventfd(0, s.eflags | (flags & LX_O_NONBLOCK));
        if (h >= 0 && v && host_write(h, &v, 8) != 8) {
            host_close(h);
            h = -LX_EIO;
        }
        if (h < 0)
            h = failed(err, errlen, h, "an eventfd");
        break;
    }
    case SK_TIMERFD: {
        s.eflags = (int)snap_get_u32(c);
        uint64_t interval = snap_get_u64(c), left = snap_get_u64(c);
        bool expired = snap_get_u8(c) != 0;
        if (c->bad || interval > INT64_MAX || left > INT64_MAX) {
            *r = bad(err, errlen);
            return NULL;
        }
        if (expired)
            left = 1;   /* read since it fired: fires again at once */
        int64_t nw[4] = { (int64_t)(interval / 1000000000), (int64_t)(interval % 1000000000),
                          (int64_t)(left / 1000000000), (int64_t)(left % 1000000000) };
        h = host_timerfd_create(s.eflags, flags & LX_O_NONBLOCK);
        int e = h >= 0 && left ? host_timerfd_settime(h, 0, nw, NULL) : 0;
        if (e < 0) {
            host_close(h);
            h = e;
        }
        if (h < 0)
            h = failed(err, errlen, h, "a timerfd");
        break;
    }
    default:
        *r = bad(err, errlen);
        return NULL;
    }
    if (h < 0) {
        *r = h;
        return NULL;
    }
    struct sock *ns = malloc(sizeof *ns);
    struct file *f = ns ? file_new(h, -1, flags, s.kind == SK_SOCKET ? LX_S_IFSOCK : 0, NULL) : NULL;
    if (!f) {
        free(ns);
        bool pair_end = false;  /* then closed with the pairs: it is not taken */
        for (uint32_t i = 0; i < pairs->n; i++)
            for (int e = 0; e < 2; e++)
                if (pairs->fd[i][e] == h) {
                    pairs->used[i][e] = false;
                    pair_end = true;
                }
        if (!pair_end)
            host_close(h);
        snprintf(err, errlen, "out of memory");
        *r = -LX_ENOMEM;
        return NULL;
    }
    *ns = s;
    f->sock = ns;
    return f;
}
