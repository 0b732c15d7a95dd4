/*
 * fs.c — the sandbox: mount table, the path resolver and the path-based
 * calls (see user/fs.h, docs/sandbox.md); user/fd.c has the fd table's
 * calls on open files.
 *
 * The resolver walks a guest path component by component over a stack of
 * nodes. A node is a directory of the guest namespace: a virtual one (the
 * root and the directories above mount points, no host object) or a host
 * directory inside a mount, held by a handle opened relative to its parent
 * handle with O_NOFOLLOW. Beside the stack runs the node's canonical guest
 * path ("" for "/", else "/a/b"). Invariants:
 *   - a handle on the stack was reached from a mount root by single-name
 *     lookups only, so whatever the host does meanwhile it is inside (or
 *     was renamed out of, see below) a mapped directory;
 *   - ".." pops the stack: the host's ".." is never looked up, so no
 *     handle ever leads above a mount root, and "/.." is "/";
 *   - a symbolic link's target is spliced into the rest of the guest
 *     path and resolved like the rest (absolute targets from the guest's
 *     "/"), at most FS_MAXSYMLINKS times per call;
 *   - mount points are matched on the canonical guest path before the
 *     host is asked, so a mount hides what the host has at that name.
 * A walk keeps at most WALK_FDS handles; older ones are closed and, if
 * ".." pops back to them, re-resolved from "/" by their canonical path
 * (no links, no ".." in it). A walk starting at a directory fd knows only
 * that fd and its canonical path: popping above it re-resolves the path
 * the same way. So a directory renamed under a guest's fd, even out of
 * the sandbox by a host process, gives no way up out of it.
 */
#include "user/fs.h"
#include "user/fs_int.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "host/fs.h"
#include "host/net.h"
#include "user/lx.h"

/* ---------------------------------------------------------------- mounts */

static int mount_at(const struct fs *fs, const char *p, size_t len)
{
    for (int i = 0; i < fs->nmounts; i++)
        if (fs->mounts[i].len == len && memcmp(fs->mounts[i].guest, p, len) == 0)
            return i;
    return -1;
}

/* Is p (canonical) a proper ancestor of some mount point? */
static bool above_mount(const struct fs *fs, const char *p, size_t len)
{
    for (int i = 0; i < fs->nmounts; i++) {
        const struct mount *m = &fs->mounts[i];
        if (m->len > len && memcmp(m->guest, p, len) == 0 && m->guest[len] == '/')
            return true;
    }
    return false;
}

static bool mount_ro(const struct fs *fs, int mount)
{
    return mount < 0 || fs->mounts[mount].ro;
}

static uint32_t create_mode(const struct fs *fs, uint32_t mode)
{
    return mode & 07777 & ~fs->umask & ~NOT_GRANTED;
}

/* ------------------------------------------------------------------ walk */

static void walk_close(struct walk *w, struct wnode *n)
{
    if (n->own && n->fd >= 0) {
        host_close(n->fd);
        w->owned_open--;
    }
    n->fd = -1;
    n->own = false;
}

static void walk_release(struct walk *w)
{
    for (int i = 0; i < w->depth; i++)
        walk_close(w, &w->n[i]);
    w->depth = 0;
    w->owned_open = 0;
}

static struct wnode *top(struct walk *w) { return &w->n[w->depth - 1]; }

static void walk_root(struct fs *fs, struct walk *w)
{
    walk_release(w);
    int m = mount_at(fs, "", 0);
    w->n[0] = (struct wnode){ .mount = m, .fd = m >= 0 ? fs->mounts[m].fd : -1, .own = false, .plen = 0 };
    w->depth = 1;
}

/* Pushes child `name` of the top node; fd is owned if own. */
static int walk_push(struct walk *w, const char *name, size_t nlen, int mount, int fd, bool own)
{
    uint32_t plen = top(w)->plen;
    if (plen + 1 + nlen >= FS_PATH_MAX || w->depth >= WALK_DEPTH) {
        if (own)
            host_close(fd);
        return -LX_ENAMETOOLONG;
    }
    w->path[plen] = '/';
    memcpy(w->path + plen + 1, name, nlen);
    w->n[w->depth++] = (struct wnode){ .mount = mount, .fd = fd, .own = own, .plen = (uint32_t)(plen + 1 + nlen) };
    if (own) {
        w->owned_open++;
        /* Keep the handle count bounded: close the shallowest one. */
        for (int i = 0; w->owned_open > WALK_FDS && i < w->depth - 1; i++)
            if (w->n[i].own && w->n[i].fd >= 0) {
                walk_close(w, &w->n[i]);
                w->n[i].own = true;     /* still a host node: re-resolve when reached */
            }
    }
    return 0;
}

static bool stale(const struct wnode *n)
{
    return n->mount == STALE || (n->mount >= 0 && n->fd < 0);
}

/*
 * Enters child `name` of the top node, which must be a directory, without
 * following links: for re-resolving canonical paths.
 */
static int walk_enter_dir(struct fs *fs, struct walk *w, const char *name, size_t nlen)
{
    struct wnode *t = top(w);
    uint32_t plen = t->plen;
    char cp[FS_PATH_MAX];
    if (plen + 1 + nlen >= FS_PATH_MAX)
        return -LX_ENAMETOOLONG;
    memcpy(cp, w->path, plen);
    cp[plen] = '/';
    memcpy(cp + plen + 1, name, nlen);
    size_t clen = plen + 1 + nlen;
    int m = mount_at(fs, cp, clen);
    if (m >= 0)
        return walk_push(w, name, nlen, m, fs->mounts[m].fd, false);
    if (t->mount < 0)
        return above_mount(fs, cp, clen) ? walk_push(w, name, nlen, -1, -1, false) : -LX_ENOENT;
    char nm[FS_NAME_MAX + 1];
    memcpy(nm, name, nlen);
    nm[nlen] = 0;
    int fd;
    struct host_stat st;
    int r = host_lookup(t->fd, nm, &fd, &st);
    if (r == -LX_ENOENT && above_mount(fs, cp, clen))
        return walk_push(w, name, nlen, -1, -1, false);
    if (r < 0)
        return r;
    if (fd < 0)
        return (st.mode & LX_S_IFMT) == LX_S_IFLNK ? -LX_ENOENT : -LX_ENOTDIR;
    return walk_push(w, name, nlen, t->mount, fd, true);
}

/* Rebuilds the whole stack for the top node's canonical path. */
static int walk_rebuild(struct fs *fs, struct walk *w)
{
    char p[FS_PATH_MAX];
    uint32_t len = top(w)->plen;
    memcpy(p, w->path, len);
    walk_root(fs, w);
    uint32_t i = 0;
    while (i < len) {
        i++;    /* the '/' */
        uint32_t j = i;
        while (j < len && p[j] != '/')
            j++;
        int r = walk_enter_dir(fs, w, p + i, j - i);
        if (r < 0)
            return r;
        i = j;
    }
    return 0;
}

static int walk_pop(struct fs *fs, struct walk *w)
{
    if (w->depth == 1)
        return 0;       /* ".." of "/" is "/" */
    walk_close(w, top(w));
    w->depth--;
    return stale(top(w)) ? walk_rebuild(fs, w) : 0;
}

struct file *fd_file(struct fs *fs, int fd)
{
    if (fd < 0 || fd >= fs->nfds)
        return NULL;
    return fs->fds[fd].f;
}

/* Starts the walk at directory file f: its ancestors are STALE until needed. */
static int walk_base(struct fs *fs, struct walk *w, struct file *f)
{
    walk_root(fs, w);
    const char *p = f->path;
    size_t len = strlen(p);
    if (len == 0) {
        w->n[0] = (struct wnode){ .mount = f->mount, .fd = f->fd, .own = false, .plen = 0 };
        return 0;
    }
    memcpy(w->path, p, len);
    for (size_t i = 1; i < len; i++)
        if (p[i] == '/')
            w->n[w->depth++] = (struct wnode){ .mount = STALE, .fd = -1, .own = false, .plen = (uint32_t)i };
    w->n[w->depth++] = (struct wnode){ .mount = f->mount, .fd = f->fd, .own = false, .plen = (uint32_t)len };
    return 0;
}

static void loc_from_top(struct walk *w, struct loc *l, int dots, bool fixed)
{
    struct wnode *t = top(w);
    l->mount = t->mount;
    l->dir_fd = t->fd;
    l->own = t->own;
    t->own = false;       /* ownership moves to the loc */
    if (l->own)
        w->owned_open--;
    l->name[0] = 0;
    l->dots = dots;
    l->fixed = fixed || t->mount < 0 || w->depth == 1;
    memcpy(l->path, w->path, t->plen);
    l->path[t->plen] = 0;
    if (t->plen == 0)
        strcpy(l->path, "/");
}

static void loc_entry(struct walk *w, struct loc *l, const char *name, size_t nlen)
{
    loc_from_top(w, l, 0, false);
    memcpy(l->name, name, nlen);
    l->name[nlen] = 0;
    l->fixed = false;
    size_t plen = top(w)->plen;
    if (plen + 1 + nlen < FS_PATH_MAX) {
        l->path[plen] = '/';
        memcpy(l->path + plen + 1, name, nlen);
        l->path[plen + 1 + nlen] = 0;
    }
}

static void loc_done(struct loc *l)
{
    if (l->own && l->dir_fd >= 0)
        host_close(l->dir_fd);
    l->own = false;
    l->dir_fd = -1;
}

#define R_FOLLOW 1        /* follow a link in the last component */

/*
 * Resolves path relative to dirfd. On success *l describes either an entry
 * (l->name set: the last component in directory l->dir_fd, found or not)
 * or a directory node (l->name ""); the caller ends with loc_done.
 */
static int resolve(struct fs *fs, int dirfd, const char *path, int flags, struct loc *l)
{
    memset(l, 0, offsetof(struct loc, path));
    l->dir_fd = -1;
    /* The walk's scratch (36 KiB) is made at the first path a guest
     * names: many VMs of a dense host never name one. Only its head needs
     * values. */
    if (!fs->w) {
        if (!(fs->w = malloc(sizeof *fs->w)))
            return -LX_ENOMEM;
        fs->w->depth = fs->w->owned_open = fs->w->links = 0;
        fs->w->path[0] = 0;
    }
    struct walk *w = fs->w;
    if (!path[0])
        return -LX_ENOENT;
    size_t plen = strlen(path);
    if (plen >= FS_PATH_MAX)
        return -LX_ENAMETOOLONG;
    if (path[0] == '/') {
        walk_root(fs, w);
    } else {
        struct file *f = dirfd == LX_AT_FDCWD ? fs->cwd : fd_file(fs, dirfd);
        if (!f)
            return -LX_EBADF;
        if (f->type != LX_S_IFDIR)
            return -LX_ENOTDIR;
        walk_base(fs, w, f);
    }
    w->links = 0;

    /* The rest of the path to resolve; links are spliced in front of it. */
    static const size_t cap = 2 * FS_PATH_MAX + 2;
    char *buf = malloc(2 * cap);
    if (!buf) {
        walk_release(w);
        return -LX_ENOMEM;
    }
    char *rest = buf, *spare = buf + cap;
    memcpy(rest, path, plen + 1);
    const char *p = rest;
    int r = 0;
    for (;;) {
        while (*p == '/')
            p++;
        if (!*p) {
            loc_from_top(w, l, 0, false);
            break;
        }
        const char *q = p;
        while (*q && *q != '/')
            q++;
        size_t nlen = (size_t)(q - p);
        const char *after = q;
        while (*after == '/')
            after++;
        bool last = !*after;
        bool slash = *q == '/';
        if (nlen > FS_NAME_MAX) {
            r = -LX_ENAMETOOLONG;
            break;
        }
        if (nlen == 1 && p[0] == '.') {
            if (last) {
                loc_from_top(w, l, 1, false);
                l->must_dir = slash;
                break;
            }
            p = after;
            continue;
        }
        if (nlen == 2 && p[0] == '.' && p[1] == '.') {
            if ((r = walk_pop(fs, w)) < 0)
                break;
            if (last) {
                loc_from_top(w, l, 2, false);
                l->must_dir = slash;
                break;
            }
            p = after;
            continue;
        }

        struct wnode *t = top(w);
        char cp[FS_PATH_MAX];
        if (t->plen + 1 + nlen >= FS_PATH_MAX) {
            r = -LX_ENAMETOOLONG;
            break;
        }
        memcpy(cp, w->path, t->plen);
        cp[t->plen] = '/';
        memcpy(cp + t->plen + 1, p, nlen);
        size_t clen = t->plen + 1 + nlen;

        int m = mount_at(fs, cp, clen);
        if (m >= 0 || (t->mount < 0 && above_mount(fs, cp, clen))) {
            r = m >= 0 ? walk_push(w, p, nlen, m, fs->mounts[m].fd, false)
                       : walk_push(w, p, nlen, -1, -1, false);
            if (r < 0)
                break;
            if (last) {
                loc_from_top(w, l, 0, true);
                l->must_dir = slash;
                break;
            }
            p = after;
            continue;
        }
        if (t->mount < 0) {
            /* Nothing else exists in a virtual directory. */
            if (last && !slash) {
                loc_entry(w, l, p, nlen);
                l->exists = false;
            } else {
                r = -LX_ENOENT;
            }
            break;
        }

        char name[FS_NAME_MAX + 1];
        memcpy(name, p, nlen);
        name[nlen] = 0;
        struct host_stat st;
        int fd = -1;
        if (last) {
            r = host_fstatat(t->fd, name, &st);
        } else {
            int tries = 0;
            do
                r = host_lookup(t->fd, name, &fd, &st);
            while (r == -LX_EAGAIN && ++tries < RETRIES);
        }
        if (r == -LX_ENOENT && above_mount(fs, cp, clen)) {
            /* A host-backed directory above a nested mount point that the
               host tree lacks: it exists in the guest as a virtual one. */
            if ((r = walk_push(w, p, nlen, -1, -1, false)) < 0)
                break;
            if (last) {
                loc_from_top(w, l, 0, true);
                l->must_dir = slash;
                break;
            }
            p = after;
            continue;
        }
        if (r == -LX_ENOENT && last) {
            loc_entry(w, l, name, nlen);
            l->exists = false;
            l->must_dir = slash;
            r = 0;
            break;
        }
        if (r < 0)
            break;
        uint32_t type = st.mode & LX_S_IFMT;
        if (type == LX_S_IFLNK && (!last || slash || (flags & R_FOLLOW))) {
            if (fd >= 0)
                host_close(fd);
            if (++w->links > FS_MAXSYMLINKS) {
                r = -LX_ELOOP;
                break;
            }
            char target[FS_PATH_MAX];
            long n = host_readlinkat(t->fd, name, target, sizeof target);
            if (n == -LX_EINVAL) {
                r = -LX_EAGAIN;   /* no longer a link: let the caller retry */
                break;
            }
            if (n < 0) {
                r = (int)n;
                break;
            }
            if (n == 0) {
                r = -LX_ENOENT;
                break;
            }
            if ((size_t)n >= sizeof target) {
                r = -LX_ENAMETOOLONG;
                break;
            }
            /* new rest = target + "/" + what followed the link */
            size_t alen = strlen(q);
            if ((size_t)n + alen + 1 >= cap) {
                r = -LX_ENAMETOOLONG;
                break;
            }
            memcpy(spare, target, (size_t)n);
            memcpy(spare + n, q, alen + 1);
            char *tmp = rest;
            rest = spare;
            spare = tmp;
            p = rest;
            if (target[0] == '/')
                walk_root(fs, w);
            continue;
        }
        if (last) {
            if (slash && type != LX_S_IFDIR) {
                r = -LX_ENOTDIR;
                break;
            }
            loc_entry(w, l, name, nlen);
            l->exists = true;
            l->st = st;
            l->must_dir = slash;
            break;
        }
        if (type != LX_S_IFDIR || fd < 0) {
            if (fd >= 0)
                host_close(fd);
            r = -LX_ENOTDIR;
            break;
        }
        if ((r = walk_push(w, p, nlen, t->mount, fd, true)) < 0)
            break;
        p = after;
    }
    free(buf);
    walk_release(w);
    if (r < 0)
        loc_done(l);
    return r;
}

/* resolve(), retried while the host changes under it. */
static int resolve_retry(struct fs *fs, int dirfd, const char *path, int flags, struct loc *l)
{
    int r, tries = 0;
    do
        r = resolve(fs, dirfd, path, flags, l);
    while (r == -LX_EAGAIN && ++tries < RETRIES);
    return r;
}

/* -------------------------------------------------------------- fd table */

/* Inode numbers of virtual directories: a hash of the canonical path. */
uint64_t path_hash(const char *p)
{
    if (p[0] == '/' && !p[1])
        p = "";
    uint64_t h = 1469598103934665603ull;
    while (*p)
        h = (h ^ (uint8_t)*p++) * 1099511628211ull;
    return h >> 1;
}

static void virtual_stat(struct fs *fs, const char *path, struct host_stat *st)
{
    memset(st, 0, sizeof *st);
    st->ino = path_hash(path);
    st->mode = LX_S_IFDIR | 0555;
    st->nlink = 2;
    st->blksize = 4096;
    st->atime = st->mtime = st->ctime = fs->born;
}

/* Files owned by the monitor's user are the guest user's. */
static void guest_ids(struct host_stat *st)
{
    if (st->uid == host_euid())
        st->uid = FS_GUEST_UID;
    if (st->gid == host_egid())
        st->gid = FS_GUEST_GID;
}

static struct file *stream_file(int i, int fl)
{
    struct host_stat st;
    uint32_t type = host_fstat(i, &st) == 0 ? (st.mode & LX_S_IFMT) : LX_S_IFCHR;
    struct file *f = file_new(i, -1, fl | LX_O_LARGEFILE, type, NULL);
    if (f)
        f->borrowed = f->stream = true;
    return f;
}

struct file *fs_stream_file(int i)
{
    int fl = host_getfl(i);
    return fl < 0 ? NULL : stream_file(i, fl);
}

struct file *fs_stream_file_in(struct fs *fs, int i)
{
    struct file *f = fd_file(fs, i);
    if (!f || !f->stream || !f->borrowed || f->fd != i)
        return fs_stream_file(i);
    f->refs++;
    return f;
}

struct file *file_new(int fd, int mount, int flags, uint32_t type, const char *path)
{
    struct file *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->refs = 1;
    f->fd = fd;
    f->mount = mount;
    f->flags = flags;
    f->type = type;
    if (path) {
        f->path = strdup(strcmp(path, "/") == 0 ? "" : path);
        if (!f->path) {
            free(f);
            return NULL;
        }
    }
    return f;
}

void file_unref(struct file *f)
{
    if (!f || --f->refs > 0)
        return;
    host_dir_close(f->dir);
    net_sock_free(f->sock);
    if (f->fd >= 0 && !f->borrowed)
        host_close(f->fd);
    free(f->path);
    free(f);
}

/* Lowest free fd >= min below the soft limit, slots grown as needed. */
int fd_alloc(struct fs *fs, int min)
{
    for (int i = min; (uint64_t)i < fs->nofile; i++) {
        if (i >= fs->nfds) {
            int n = fs->nfds * 2;
            while (n <= i)
                n *= 2;
            if ((uint64_t)n > fs->nofile_max)
                n = (int)fs->nofile_max;
            struct fd_slot *s = realloc(fs->fds, (size_t)n * sizeof *s);
            if (!s)
                return -LX_ENOMEM;
            memset(s + fs->nfds, 0, (size_t)(n - fs->nfds) * sizeof *s);
            fs->fds = s;
            fs->nfds = n;
        }
        if (!fs->fds[i].f)
            return i;
    }
    return -LX_EMFILE;
}

static int fd_install(struct fs *fs, struct file *f, bool cloexec)
{
    int fd = fd_alloc(fs, 0);
    if (fd < 0) {
        file_unref(f);
        return fd;
    }
    fs->fds[fd].f = f;
    fs->fds[fd].cloexec = cloexec;
    return fd;
}

struct fs *fs_new(void)
{
    struct fs *fs = calloc(1, sizeof *fs);
    if (!fs)
        return NULL;
    fs->nfds = 64;
    fs->fds = calloc((size_t)fs->nfds, sizeof *fs->fds);
    fs->nofile = FS_NOFILE;
    fs->nofile_max = FS_NOFILE_MAX;
    fs->umask = 022;
    fs->born = (int64_t)time(NULL);
    fs->cwd = file_new(-1, -1, LX_O_RDONLY | LX_O_DIRECTORY, LX_S_IFDIR, "/");
    if (!fs->fds || !fs->cwd)
        goto fail;
    for (int i = 0; i < 3; i++) {
        int fl = host_getfl(i);
        if (fl < 0)
            continue;     /* the host has no such fd: neither has the guest */
        if (!(fs->fds[i].f = stream_file(i, fl)))
            goto fail;
    }
    return fs;
fail:
    fs_free(fs);
    return NULL;
}

size_t fs_table_bytes(void)
{
    return sizeof(struct fs) + sizeof(struct walk) + FS_NOFILE_MAX * sizeof(struct fd_slot);
}

void fs_free(struct fs *fs)
{
    if (!fs)
        return;
    for (int i = 0; i < fs->nfds; i++)
        file_unref(fs->fds[i].f);
    free(fs->fds);
    file_unref(fs->cwd);
    net_free(fs->net);
    for (int i = 0; i < fs->nmounts; i++) {
        host_close(fs->mounts[i].fd);
        free(fs->mounts[i].guest);
        free(fs->mounts[i].host);
        free(fs->mounts[i].above);
    }
    free(fs->mounts);
    free(fs->w);
    free(fs);
}

struct fs *fs_fork(const struct fs *src)
{
    struct fs *fs = calloc(1, sizeof *fs);
    if (!fs)
        return NULL;
    fs->fds = calloc((size_t)src->nfds, sizeof *fs->fds);
    fs->mounts = src->nmounts ? calloc((size_t)src->nmounts, sizeof *fs->mounts) : NULL;
    if (!fs->fds || (src->nmounts && !fs->mounts)) {
        fs_free(fs);
        return NULL;
    }
    fs->nfds = src->nfds;
    for (int i = 0; i < src->nfds; i++)
        if (src->fds[i].f) {
            src->fds[i].f->refs++;
            fs->fds[i] = src->fds[i];
        }
    /* Mount indices stay the same: open files name their mount by index. */
    for (int i = 0; i < src->nmounts; i++) {
        const struct mount *m = &src->mounts[i];
        int fd = host_dup(m->fd);
        char *g = strdup(m->guest), *h = m->host ? strdup(m->host) : NULL, *a = m->above ? strdup(m->above) : NULL;
        if (fd < 0 || !g || (m->host && !h) || (m->above && !a)) {
            if (fd >= 0)
                host_close(fd);
            free(g);
            free(h);
            free(a);
            fs_free(fs);
            return NULL;
        }
        fs->mounts[fs->nmounts++] =
            (struct mount){ .guest = g, .len = m->len, .fd = fd, .ro = m->ro, .host = h, .above = a };
    }
    src->cwd->refs++;
    fs->cwd = src->cwd;
    fs->nofile = src->nofile;
    fs->nofile_max = src->nofile_max;
    fs->umask = src->umask;
    fs->born = src->born;
    fs->stream_meta = src->stream_meta;
    if (src->net && !(fs->net = net_fork(src->net))) {
        fs_free(fs);
        return NULL;
    }
    return fs;
}

void fs_exec(struct fs *fs)
{
    for (int i = 0; i < fs->nfds; i++)
        if (fs->fds[i].f && fs->fds[i].cloexec)
            fs_close(fs, i);
}

void fs_close_all(struct fs *fs)
{
    for (int i = 0; i < fs->nfds; i++)
        if (fs->fds[i].f)
            fs_close(fs, i);
}

/* Mounts host directory handle fd (which it takes over) at guest_path;
 * *index is then the mount's index. */
static int mount_fd(struct fs *fs, int fd, const char *guest_path, bool read_only, int *index)
{
    if (!guest_path || guest_path[0] != '/') {
        host_close(fd);
        return -LX_EINVAL;
    }
    /* Canonical form: no empty, "." or ".." components, no trailing '/'. */
    size_t n = strlen(guest_path);
    char *g = n < FS_PATH_MAX ? malloc(n + 1) : NULL;
    if (!g) {
        host_close(fd);
        return n < FS_PATH_MAX ? -LX_ENOMEM : -LX_ENAMETOOLONG;
    }
    size_t len = 0;
    for (const char *p = guest_path; *p;) {
        while (*p == '/')
            p++;
        const char *q = p;
        while (*q && *q != '/')
            q++;
        size_t c = (size_t)(q - p);
        if (c == 0)
            break;
        if (c > FS_NAME_MAX || (c == 1 && p[0] == '.') || (c == 2 && p[0] == '.' && p[1] == '.')) {
            free(g);
            host_close(fd);
            return c > FS_NAME_MAX ? -LX_ENAMETOOLONG : -LX_EINVAL;
        }
        g[len++] = '/';
        memcpy(g + len, p, c);
        len += c;
        p = q;
    }
    g[len] = 0;
    int old = mount_at(fs, g, len);
    if (old >= 0) {
        /* The same directory granted again (a nested mount that came with
         * a read-only parent, then granted on its own) has the rights of
         * both grants: each was checked against what its granter may do
         * (fs_add_dir_from). Another directory there is a conflict. */
        struct host_stat a, b;
        bool same = host_fstat(fd, &a) == 0 && host_fstat(fs->mounts[old].fd, &b) == 0 &&
                    a.dev == b.dev && a.ino == b.ino;
        free(g);
        host_close(fd);
        if (!same)
            return -LX_EEXIST;
        fs->mounts[old].ro = fs->mounts[old].ro && read_only;
        *index = old;
        return 0;
    }
    struct mount *m = realloc(fs->mounts, (size_t)(fs->nmounts + 1) * sizeof *m);
    if (!m) {
        host_close(fd);
        free(g);
        return -LX_ENOMEM;
    }
    fs->mounts = m;
    *index = fs->nmounts;
    m[fs->nmounts++] = (struct mount){ .guest = g, .len = len, .fd = fd, .ro = read_only };
    /* A virtual cwd may now be (or be under) the new mount: look again. */
    if (fs->cwd->fd < 0)
        return fs_set_cwd(fs, fs->cwd->path[0] ? fs->cwd->path : "/");
    return 0;
}

static void mounts_truncate(struct fs *fs, int n);

int fs_add_dir(struct fs *fs, const char *host_dir, const char *guest_path, bool read_only)
{
    int fd = host_root_open(host_dir);
    int index, n = fs->nmounts;
    int r = fd < 0 ? fd : mount_fd(fs, fd, guest_path, read_only, &index);
    if (r == 0 && fs->nmounts > n && !(fs->mounts[index].host = strdup(host_dir))) {
        mounts_truncate(fs, n);
        return -LX_ENOMEM;
    }
    return r;
}

/* Drops the mounts added after the first n (a grant that failed half way). */
static void mounts_truncate(struct fs *fs, int n)
{
    while (fs->nmounts > n) {
        struct mount *m = &fs->mounts[--fs->nmounts];
        host_close(m->fd);
        free(m->guest);
        free(m->host);
        free(m->above);
    }
}

/* Where path (canonical, under m) is in the view of the sandbox at the
 * top: m's own path there, and the rest; NULL if not known (or no memory). */
static char *above_path(const struct mount *m, const char *path)
{
    const char *base = m->host ? m->guest : m->above;
    size_t blen = m->host ? m->len : base ? strlen(base) : 0;
    if (!base || strncmp(path, m->guest, m->len) != 0 || (path[m->len] && path[m->len] != '/'))
        return NULL;
    const char *rest = path + m->len;
    char *a = malloc(blen + strlen(rest) + 2);
    if (a)
        sprintf(a, "%.*s%s", (int)blen, base, blen || rest[0] ? rest : "/");
    return a;
}

/* A mount just added (index) that came from m's directory at path. */
static void note_above(struct fs *fs, int index, const struct mount *m, const char *path)
{
    if (!fs->mounts[index].above && !fs->mounts[index].host)
        fs->mounts[index].above = above_path(m, path);
}

/*
 * The child's view of the subtree is the parent's: the directory itself
 * (unless it is virtual) and every mount of the parent's beneath it, each
 * with its own flags, so that a read-only mount nested in a writable one
 * stays read-only. A grant never widens: read-only for the parent stays so.
 */
int fs_add_dir_from(struct fs *fs, struct fs *from, const char *from_path, const char *guest_path, bool read_only)
{
    int gfd = fs_openat(from, LX_AT_FDCWD, from_path, LX_O_PATH | LX_O_DIRECTORY, 0);
    if (gfd < 0)
        return gfd;
    const struct file *dir = fd_file(from, gfd);
    bool ro = read_only || mount_ro(from, dir->mount);
    char base[FS_PATH_MAX], at[FS_PATH_MAX];
    snprintf(base, sizeof base, "%s", dir->path);
    bool virtual = dir->fd < 0;
    int dmount = dir->mount;
    int fd = virtual ? 0 : host_openat(dir->fd, ".", LX_O_PATH | LX_O_DIRECTORY, 0);
    fs_close(from, gfd);
    int first = fs->nmounts, r = 0, index;
    bool granted = !virtual;
    if (fd < 0)
        return fd;
    if (virtual && guest_path[0] != '/')
        return -LX_EINVAL;   /* as mount_fd says for a real directory */
    if (!virtual && (r = mount_fd(fs, fd, guest_path, ro, &index)) < 0)
        return r;
    if (!virtual && dmount >= 0)
        note_above(fs, index, &from->mounts[dmount], base);
    /* Nested mounts go where the directory went: the mount's canonical
     * path, or for a virtual directory the path as given. */
    snprintf(at, sizeof at, "%s", !virtual ? fs->mounts[index].guest
                                  : strcmp(guest_path, "/") == 0 ? "" : guest_path);
    size_t blen = strlen(base);
    for (int i = 0; i < from->nmounts && r == 0; i++) {
        const struct mount *m = &from->mounts[i];
        if (m->len <= blen || memcmp(m->guest, base, blen) != 0 || m->guest[blen] != '/')
            continue;
        char path[FS_PATH_MAX];
        if ((size_t)snprintf(path, sizeof path, "%s%s", at, m->guest + blen) >= sizeof path) {
            r = -LX_ENAMETOOLONG;
            break;
        }
        int mfd = host_openat(m->fd, ".", LX_O_PATH | LX_O_DIRECTORY, 0);
        r = mfd < 0 ? mfd : mount_fd(fs, mfd, path, ro || m->ro, &index);
        if (r == 0)
            note_above(fs, index, m, m->guest);
        granted = true;
    }
    if (r == 0 && !granted)
        r = -LX_EINVAL;   /* a virtual directory with nothing mounted beneath */
    if (r < 0)
        mounts_truncate(fs, first);
    return r;
}

int fs_set_cwd(struct fs *fs, const char *guest_path)
{
    return fs_chdir(fs, guest_path);
}

/* The file an fd names; O_PATH files only when path_ok. */
int get_file(struct fs *fs, int fd, bool path_ok, struct file **out)
{
    struct file *f = fd_file(fs, fd);
    if (!f || (!path_ok && (f->flags & LX_O_PATH)))
        return -LX_EBADF;
    *out = f;
    return 0;
}

int fs_fd_info(struct fs *fs, int fd, struct fs_fd_info *out)
{
    struct file *f;
    int r = get_file(fs, fd, true, &f);
    if (r < 0)
        return r;
    out->host_fd = f->fd;
    out->type = f->type;
    out->flags = f->flags;
    out->read_only_mount = f->mount >= 0 && fs->mounts[f->mount].ro;
    return 0;
}

/* ------------------------------------------------------------ open, stat */

static bool writes(int flags)
{
    return (flags & LX_O_ACCMODE) != LX_O_RDONLY && !(flags & LX_O_PATH);
}

/*
 * Opens what l names; returns a host handle. A virtual directory has none:
 * the caller deals with it before.
 */
static int open_loc(struct fs *fs, struct loc *l, int flags, uint32_t mode)
{
    bool creat = (flags & LX_O_CREAT) && !(flags & LX_O_PATH);
    bool tmpfile = (flags & LX_O_TMPFILE) == LX_O_TMPFILE;
    bool ro = mount_ro(fs, l->mount);
    if (!l->name[0]) {
        /* A directory node ("/", a mount root, ".", ".."). */
        if (tmpfile)
            return ro ? -LX_EROFS : host_openat(l->dir_fd, ".", flags, create_mode(fs, mode));
        if (creat || writes(flags))
            return -LX_EISDIR;
        return host_openat(l->dir_fd, ".", flags & ~LX_O_CREAT, mode);
    }
    if (!l->exists) {
        if (!creat || tmpfile)
            return -LX_ENOENT;
        if (l->must_dir)
            return -LX_EISDIR;
        if (ro)
            return -LX_EROFS;
        return host_openat(l->dir_fd, l->name, flags, create_mode(fs, mode));
    }
    uint32_t t = l->st.mode & LX_S_IFMT;
    if (creat && (flags & LX_O_EXCL))
        return -LX_EEXIST;
    if (t == LX_S_IFLNK && !(flags & LX_O_PATH))
        return -LX_ELOOP;
    if (t != LX_S_IFDIR && ((flags & LX_O_DIRECTORY) || l->must_dir))
        return -LX_ENOTDIR;
    if (tmpfile)
        return ro ? -LX_EROFS : host_openat(l->dir_fd, l->name, flags, create_mode(fs, mode));
    if (t == LX_S_IFDIR && (creat || writes(flags)))
        return -LX_EISDIR;
    if (ro && (writes(flags) || (flags & LX_O_TRUNC)) && !(flags & LX_O_PATH))
        return -LX_EROFS;
    return host_openat(l->dir_fd, l->name, flags & ~(LX_O_CREAT | LX_O_EXCL), mode);
}

/*
 * The device nodes every Linux program counts on (/dev/null above all),
 * where the sandbox has no file of that name: the host's own, which give
 * nothing away. Their metadata cannot be changed (ro).
 */
static int open_device(struct fs *fs, const char *name, int flags, int status)
{
    if ((flags & LX_O_TMPFILE) == LX_O_TMPFILE)
        return -LX_ENOENT;
    int hfd = host_open_device(name, flags);
    if (hfd < 0)
        return hfd;
    char path[16];
    snprintf(path, sizeof path, "/dev/%s", name);
    struct file *f = file_new(hfd, -1, status, LX_S_IFCHR, path);
    if (!f) {
        host_close(hfd);
        return -LX_ENOMEM;
    }
    f->ro = true;
    return fd_install(fs, f, flags & LX_O_CLOEXEC);
}

int fs_openat(struct fs *fs, int dirfd, const char *path, int flags, uint32_t mode)
{
    bool tmpfile = (flags & LX_O_TMPFILE) == LX_O_TMPFILE;
    if (tmpfile && !writes(flags))
        return -LX_EINVAL;
    bool follow = !(flags & LX_O_NOFOLLOW) && !((flags & LX_O_CREAT) && (flags & LX_O_EXCL));
    int status = (flags & (LX_O_ACCMODE | LX_O_APPEND | LX_O_NONBLOCK | LX_O_DSYNC | LX_O_SYNC |
                           LX_O_DIRECT | LX_O_NOATIME | LX_O_ASYNC)) | LX_O_LARGEFILE;
    if (flags & LX_O_PATH)
        status = LX_O_PATH | LX_O_LARGEFILE;
    struct loc l;
    int hfd;
    for (int tries = 0;; tries++) {
        int r = resolve_retry(fs, dirfd, path, follow ? R_FOLLOW : 0, &l);
        if (r == -LX_ENOENT && strncmp(path, "/dev/", 5) == 0 && !(flags & (LX_O_DIRECTORY | LX_O_PATH)))
            return open_device(fs, path + 5, flags, status);
        if (r < 0)
            return r;
        if (!l.name[0] && l.dir_fd < 0) {
            /* A virtual directory: read-only, nothing to open on the host. */
            bool creat = (flags & LX_O_CREAT) && !(flags & LX_O_PATH);
            if (tmpfile)
                return -LX_EROFS;
            if (creat || writes(flags))
                return -LX_EISDIR;
            struct file *f = file_new(-1, -1, status, LX_S_IFDIR, l.path);
            if (!f)
                return -LX_ENOMEM;
            return fd_install(fs, f, flags & LX_O_CLOEXEC);
        }
        hfd = open_loc(fs, &l, flags, mode);
        /* The entry changed between the look and the open (a link appeared,
           or a file was created or removed): look again. */
        bool changed = (hfd == -LX_ELOOP && follow && l.name[0]) ||
                       (hfd == -LX_EEXIST && !(flags & LX_O_EXCL)) ||
                       (hfd == -LX_ENOENT && l.exists);
        if (changed && tries < RETRIES) {
            loc_done(&l);
            continue;
        }
        break;
    }
    int mount = l.mount;
    loc_done(&l);
    if (hfd < 0)
        return hfd;
    struct host_stat st;
    int r = host_fstat(hfd, &st);
    if (r < 0) {
        host_close(hfd);
        return r;
    }
    uint32_t type = st.mode & LX_S_IFMT;
    struct file *f = file_new(hfd, mount, status, type, l.path);
    if (!f) {
        host_close(hfd);
        return -LX_ENOMEM;
    }
    return fd_install(fs, f, flags & LX_O_CLOEXEC);
}

static int file_stat(struct fs *fs, struct file *f, struct host_stat *st)
{
    if (f->fd < 0) {
        virtual_stat(fs, f->path, st);
        return 0;
    }
    int r = host_fstat(f->fd, st);
    if (r == 0)
        guest_ids(st);
    return r;
}

int fs_fstatat(struct fs *fs, int dirfd, const char *path, int at_flags, struct host_stat *st)
{
    if (at_flags & ~(LX_AT_SYMLINK_NOFOLLOW | LX_AT_EMPTY_PATH | LX_AT_NO_AUTOMOUNT | LX_AT_STATX_SYNC_TYPE))
        return -LX_EINVAL;
    if (!path[0] && (at_flags & LX_AT_EMPTY_PATH)) {
        if (dirfd == LX_AT_FDCWD)
            return file_stat(fs, fs->cwd, st);
        struct file *f;
        int r = get_file(fs, dirfd, true, &f);
        return r < 0 ? r : file_stat(fs, f, st);
    }
    struct loc l;
    int r = resolve_retry(fs, dirfd, path, (at_flags & LX_AT_SYMLINK_NOFOLLOW) ? 0 : R_FOLLOW, &l);
    if (r < 0)
        return r;
    if (!l.name[0]) {
        if (l.dir_fd < 0)
            virtual_stat(fs, l.path, st);
        else if ((r = host_fstat(l.dir_fd, st)) == 0)
            guest_ids(st);
    } else if (!l.exists) {
        r = -LX_ENOENT;
    } else {
        *st = l.st;
        guest_ids(st);
    }
    loc_done(&l);
    return r;
}

/* A virtual directory's file system: empty, in memory, read-only. */
static void virtual_statfs(struct host_statfs *st)
{
    memset(st, 0, sizeof *st);
    st->type = 0x858458f6;      /* RAMFS_MAGIC */
    st->bsize = st->frsize = 4096;
    st->namelen = FS_NAME_MAX;
    st->flags = 1;              /* ST_RDONLY */
}

int fs_statfs(struct fs *fs, int dirfd, const char *path, struct host_statfs *st)
{
    int r, fd, mount;
    struct loc l;
    l.dir_fd = -1;
    l.own = false;
    if (!path) {
        struct file *f;
        if ((r = get_file(fs, dirfd, true, &f)) < 0)
            return r;
        fd = f->fd;
        mount = f->mount;
    } else {
        if ((r = resolve_retry(fs, dirfd, path, R_FOLLOW, &l)) < 0)
            return r;
        if (l.name[0] && !l.exists) {
            loc_done(&l);
            return -LX_ENOENT;
        }
        fd = l.dir_fd;
        mount = l.mount;
    }
    if (fd < 0) {
        virtual_statfs(st);
    } else if ((r = host_fstatfs(fd, st)) == 0 && mount >= 0 && fs->mounts[mount].ro) {
        st->flags |= 1;
    }
    loc_done(&l);
    return r;
}

/* ------------------------------------------------------ namespace changes */

int fs_mkdirat(struct fs *fs, int dirfd, const char *path, uint32_t mode)
{
    struct loc l;
    int r = resolve_retry(fs, dirfd, path, 0, &l);
    if (r < 0)
        return r;
    if (!l.name[0] || l.exists)
        r = -LX_EEXIST;
    else if (mount_ro(fs, l.mount))
        r = -LX_EROFS;
    else
        r = host_mkdirat(l.dir_fd, l.name, create_mode(fs, mode));
    loc_done(&l);
    return r;
}

int fs_unix_at(struct fs *fs, const char *path, bool create,
               int (*fn)(void *ctx, int dir_fd, const char *name), void *ctx)
{
    struct loc l;
    int r = resolve_retry(fs, LX_AT_FDCWD, path, create ? 0 : R_FOLLOW, &l);
    if (r < 0)
        return r;
    if (!l.name[0])
        r = create ? -LX_EADDRINUSE : -LX_ECONNREFUSED;
    else if (create && l.exists)
        r = -LX_EADDRINUSE;
    else if (!create && !l.exists)
        r = -LX_ENOENT;
    else if (create && mount_ro(fs, l.mount))
        r = -LX_EROFS;
    else if (l.dir_fd < 0)
        r = create ? -LX_EROFS : -LX_ENOENT;
    else
        r = fn(ctx, l.dir_fd, l.name);
    loc_done(&l);
    return r;
}

int fs_mknodat(struct fs *fs, int dirfd, const char *path, uint32_t mode)
{
    uint32_t t = mode & LX_S_IFMT;
    if (t != 0 && t != LX_S_IFREG && t != LX_S_IFIFO && t != LX_S_IFCHR && t != LX_S_IFBLK &&
        t != LX_S_IFSOCK)
        return -LX_EINVAL;
    struct loc l;
    int r = resolve_retry(fs, dirfd, path, 0, &l);
    if (r < 0)
        return r;
    if (!l.name[0] || l.exists)
        r = -LX_EEXIST;
    else if (mount_ro(fs, l.mount))
        r = -LX_EROFS;
    else
        r = host_mknodat(l.dir_fd, l.name, t | create_mode(fs, mode));
    loc_done(&l);
    return r;
}

int fs_unlinkat(struct fs *fs, int dirfd, const char *path, int at_flags)
{
    if (at_flags & ~LX_AT_REMOVEDIR)
        return -LX_EINVAL;
    bool dir = at_flags & LX_AT_REMOVEDIR;
    struct loc l;
    int r = resolve_retry(fs, dirfd, path, 0, &l);
    if (r < 0)
        return r;
    if (!l.name[0]) {
        if (!dir)
            r = -LX_EISDIR;
        else if (l.dots == 1)
            r = -LX_EINVAL;
        else if (l.dots == 2)
            r = -LX_ENOTEMPTY;
        else if (l.fixed)
            r = -LX_EBUSY;
        else
            r = -LX_EINVAL;     /* a directory reached through a trailing link */
    } else if (mount_ro(fs, l.mount)) {
        r = l.mount < 0 && !l.exists ? -LX_ENOENT : -LX_EROFS;
    } else if (!l.exists) {
        r = -LX_ENOENT;
    } else if (!dir && l.must_dir) {
        r = (l.st.mode & LX_S_IFMT) == LX_S_IFDIR ? -LX_EISDIR : -LX_ENOTDIR;
    } else {
        r = host_unlinkat(l.dir_fd, l.name, dir);
    }
    loc_done(&l);
    return r;
}

int fs_renameat2(struct fs *fs, int olddirfd, const char *oldpath, int newdirfd,
                 const char *newpath, unsigned flags)
{
    if (flags & ~(unsigned)(LX_RENAME_NOREPLACE | LX_RENAME_EXCHANGE))
        return -LX_EINVAL;
    if ((flags & LX_RENAME_NOREPLACE) && (flags & LX_RENAME_EXCHANGE))
        return -LX_EINVAL;
    struct loc a, b;
    int r = resolve_retry(fs, olddirfd, oldpath, 0, &a);
    if (r < 0)
        return r;
    if ((r = resolve_retry(fs, newdirfd, newpath, 0, &b)) < 0) {
        loc_done(&a);
        return r;
    }
    if (!a.name[0] || !b.name[0])
        r = -LX_EBUSY;      /* ".", "..", a mount point or "/" */
    else if (a.mount != b.mount)
        r = -LX_EXDEV;
    else if (mount_ro(fs, a.mount))
        r = a.mount < 0 ? -LX_ENOENT : -LX_EROFS;
    else if (!a.exists)
        r = -LX_ENOENT;
    else if ((flags & LX_RENAME_EXCHANGE) && !b.exists)
        r = -LX_ENOENT;
    else if ((flags & LX_RENAME_NOREPLACE) && b.exists)
        r = -LX_EEXIST;
    else
        r = host_renameat2(a.dir_fd, a.name, b.dir_fd, b.name, flags);
    loc_done(&a);
    loc_done(&b);
    return r;
}

int fs_linkat(struct fs *fs, int olddirfd, const char *oldpath, int newdirfd,
              const char *newpath, int at_flags)
{
    if (at_flags & ~(LX_AT_SYMLINK_FOLLOW | LX_AT_EMPTY_PATH))
        return -LX_EINVAL;
    if (!oldpath[0])
        return -LX_ENOENT;  /* linking an fd needs CAP_DAC_READ_SEARCH */
    struct loc a, b;
    int r = resolve_retry(fs, olddirfd, oldpath, (at_flags & LX_AT_SYMLINK_FOLLOW) ? R_FOLLOW : 0, &a);
    if (r < 0)
        return r;
    if ((r = resolve_retry(fs, newdirfd, newpath, 0, &b)) < 0) {
        loc_done(&a);
        return r;
    }
    if (a.name[0] && !a.exists)
        r = -LX_ENOENT;
    else if (!b.name[0] || b.exists)
        r = -LX_EEXIST;
    else if (a.mount != b.mount)
        r = -LX_EXDEV;
    else if (!a.name[0])
        r = -LX_EPERM;      /* directories cannot be hard-linked */
    else if (mount_ro(fs, a.mount))
        r = -LX_EROFS;
    else
        r = host_linkat(a.dir_fd, a.name, b.dir_fd, b.name);
    loc_done(&a);
    loc_done(&b);
    return r;
}

int fs_symlinkat(struct fs *fs, const char *target, int dirfd, const char *path)
{
    if (!target[0])
        return -LX_ENOENT;
    if (strlen(target) >= FS_PATH_MAX)
        return -LX_ENAMETOOLONG;
    struct loc l;
    int r = resolve_retry(fs, dirfd, path, 0, &l);
    if (r < 0)
        return r;
    if (!l.name[0] || l.exists)
        r = -LX_EEXIST;
    else if (mount_ro(fs, l.mount))
        r = -LX_EROFS;
    else
        r = host_symlinkat(target, l.dir_fd, l.name);
    loc_done(&l);
    return r;
}

long fs_readlinkat(struct fs *fs, int dirfd, const char *path, char *buf, size_t size)
{
    if (size == 0)
        return -LX_EINVAL;
    struct loc l;
    long r = resolve_retry(fs, dirfd, path, 0, &l);
    if (r < 0)
        return r;
    if (!l.name[0])
        r = -LX_EINVAL;
    else if (!l.exists)
        r = -LX_ENOENT;
    else if ((l.st.mode & LX_S_IFMT) != LX_S_IFLNK)
        r = -LX_EINVAL;
    else
        r = host_readlinkat(l.dir_fd, l.name, buf, size);
    loc_done(&l);
    return r;
}

int fs_faccessat(struct fs *fs, int dirfd, const char *path, int mode, int at_flags)
{
    if (mode & ~7)
        return -LX_EINVAL;
    if (at_flags & ~(LX_AT_EACCESS | LX_AT_SYMLINK_NOFOLLOW | LX_AT_EMPTY_PATH))
        return -LX_EINVAL;
    struct loc l;
    int r;
    if (!path[0] && (at_flags & LX_AT_EMPTY_PATH)) {
        struct file *f = dirfd == LX_AT_FDCWD ? fs->cwd : fd_file(fs, dirfd);
        if (!f)
            return -LX_EBADF;
        if ((mode & LX_W_OK) && mount_ro(fs, f->mount) && f->mount != -1)
            return -LX_EROFS;
        if (f->fd < 0)
            return (mode & LX_W_OK) ? -LX_EROFS : 0;
        return f->type == LX_S_IFDIR ? host_faccessat(f->fd, "", mode) : 0;
    }
    r = resolve_retry(fs, dirfd, path, (at_flags & LX_AT_SYMLINK_NOFOLLOW) ? 0 : R_FOLLOW, &l);
    if (r < 0)
        return r;
    if (l.name[0] && !l.exists) {
        r = -LX_ENOENT;
    } else if ((mode & LX_W_OK) && mount_ro(fs, l.mount)) {
        uint32_t t = l.name[0] ? l.st.mode & LX_S_IFMT : LX_S_IFDIR;
        r = (t == LX_S_IFREG || t == LX_S_IFDIR || t == LX_S_IFLNK) ? -LX_EROFS : 0;
        if (r == 0)
            r = host_faccessat(l.dir_fd, l.name, mode);
    } else if (l.dir_fd < 0) {
        r = 0;              /* a virtual directory: r-x for all */
    } else {
        r = host_faccessat(l.dir_fd, l.name, mode);
    }
    loc_done(&l);
    return r;
}

/* Resolves for an attribute change: the target must exist and be writable. */
static int resolve_attr(struct fs *fs, int dirfd, const char *path, int at_flags, struct loc *l)
{
    int r = resolve_retry(fs, dirfd, path, (at_flags & LX_AT_SYMLINK_NOFOLLOW) ? 0 : R_FOLLOW, l);
    if (r < 0)
        return r;
    if (l->name[0] && !l->exists)
        r = -LX_ENOENT;
    else if (mount_ro(fs, l->mount))
        r = -LX_EROFS;
    if (r < 0)
        loc_done(l);
    return r;
}

int fs_fchmodat(struct fs *fs, int dirfd, const char *path, uint32_t mode, int at_flags)
{
    struct loc l;
    int r = resolve_attr(fs, dirfd, path, at_flags, &l);
    if (r < 0)
        return r;
    if (l.name[0] && (l.st.mode & LX_S_IFMT) == LX_S_IFLNK)
        r = -LX_EOPNOTSUPP;
    else
        r = host_fchmodat(l.dir_fd, l.name, mode & 07777 & ~NOT_GRANTED);
    loc_done(&l);
    return r;
}

/* Guest ids back to host ids: the guest user is the monitor's user. */
static uint32_t host_uid(uint32_t u) { return u == FS_GUEST_UID ? host_euid() : u; }
static uint32_t host_gid(uint32_t g) { return g == FS_GUEST_GID ? host_egid() : g; }

int fs_fchownat(struct fs *fs, int dirfd, const char *path, uint32_t uid, uint32_t gid, int at_flags)
{
    if (at_flags & ~(LX_AT_SYMLINK_NOFOLLOW | LX_AT_EMPTY_PATH))
        return -LX_EINVAL;
    uid = uid == UINT32_MAX ? uid : host_uid(uid);
    gid = gid == UINT32_MAX ? gid : host_gid(gid);
    if (!path[0] && (at_flags & LX_AT_EMPTY_PATH)) {
        struct file *f;
        int r = get_file(fs, dirfd, true, &f);
        if (r < 0)
            return r;
        if ((r = file_meta_check(fs, f)) < 0)
            return r;
        return f->mount < 0 && f->type != LX_S_IFDIR ? -LX_EPERM : host_fchownat(f->fd, "", uid, gid);
    }
    struct loc l;
    int r = resolve_attr(fs, dirfd, path, at_flags, &l);
    if (r < 0)
        return r;
    r = host_fchownat(l.dir_fd, l.name, uid, gid);
    loc_done(&l);
    return r;
}

int fs_utimensat(struct fs *fs, int dirfd, const char *path, const int64_t *ts, int at_flags)
{
    if (at_flags & ~(LX_AT_SYMLINK_NOFOLLOW | LX_AT_EMPTY_PATH))
        return -LX_EINVAL;
    if (!path || (!path[0] && (at_flags & LX_AT_EMPTY_PATH))) {
        struct file *f;
        int r = get_file(fs, dirfd, true, &f);
        if (r < 0)
            return r;
        if ((r = file_meta_check(fs, f)) < 0)
            return r;
        return host_utimensat(f->fd, "", ts);
    }
    struct loc l;
    int r = resolve_attr(fs, dirfd, path, at_flags, &l);
    if (r < 0)
        return r;
    r = host_utimensat(l.dir_fd, l.name, ts);
    loc_done(&l);
    return r;
}

/* ------------------------------------------------------------------ cwd */

static int set_cwd_file(struct fs *fs, struct file *f)
{
    file_unref(fs->cwd);
    fs->cwd = f;
    return 0;
}

int fs_chdir(struct fs *fs, const char *path)
{
    struct loc l;
    int r, tries = 0;
again:
    r = resolve_retry(fs, LX_AT_FDCWD, path, R_FOLLOW, &l);
    if (r < 0)
        return r;
    int hfd = -1;
    if (l.name[0]) {
        if (!l.exists)
            r = -LX_ENOENT;
        else if ((l.st.mode & LX_S_IFMT) != LX_S_IFDIR)
            r = -LX_ENOTDIR;
        else if ((r = host_faccessat(l.dir_fd, l.name, LX_X_OK)) == 0)
            r = hfd = host_openat(l.dir_fd, l.name, LX_O_PATH | LX_O_DIRECTORY, 0);
        if (r == -LX_ELOOP && ++tries < RETRIES) {
            loc_done(&l);
            goto again;
        }
    } else if (l.dir_fd >= 0) {
        r = hfd = host_openat(l.dir_fd, ".", LX_O_PATH | LX_O_DIRECTORY, 0);
    }
    if (r < 0) {
        loc_done(&l);
        return r;
    }
    struct file *f = file_new(hfd, l.mount, LX_O_PATH, LX_S_IFDIR, l.path);
    loc_done(&l);
    if (!f) {
        if (hfd >= 0)
            host_close(hfd);
        return -LX_ENOMEM;
    }
    return set_cwd_file(fs, f);
}

int fs_fchdir(struct fs *fs, int fd)
{
    struct file *f;
    int r = get_file(fs, fd, true, &f);
    if (r < 0)
        return r;
    if (f->type != LX_S_IFDIR)
        return -LX_ENOTDIR;
    f->refs++;
    return set_cwd_file(fs, f);
}

long fs_getcwd(struct fs *fs, char *buf, size_t size)
{
    const char *p = fs->cwd->path[0] ? fs->cwd->path : "/";
    size_t n = strlen(p) + 1;
    if (size < n)
        return -LX_ERANGE;
    memcpy(buf, p, n);
    return (long)n;
}
