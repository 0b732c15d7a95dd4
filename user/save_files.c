/*
 * save_files.c — a process's open files in a snapshot (the FILES section;
 * docs/snapshot-format.md has the bytes). Every open file description of
 * the VM is saved once, in the first process's section (two fds, or two
 * processes, sharing one share it again after restore), each process's fd
 * table names them by index. A description is saved as what reopens it in
 * the restoring sandbox: a standard stream, a guest path with its flags
 * and offset, a pipe with the bytes queued in it, a signalfd, or a socket
 * or event object (user/net_save.c). Nothing host-specific is written.
 *
 * What an epoll instance watches is not a property of one description
 * but a relation between two: the EPOLL section after the first FILES
 * names both by index (the host lists an instance's interest list), and a
 * restore registers them again once every description is back.
 */
#include <stdlib.h>
#include <string.h>

#include "host/fs.h"
#include "host/host.h"
#include "user/fs.h"
#include "user/lx.h"
#include "user/net_int.h"
#include "user/net_save.h"
#include "user/save_int.h"

/* Files: each open file description once (dup'ed fds share it). */
struct pipe_id {
    uint64_t dev, ino;
};

static int save_file(struct saver *s, int fd, const struct file *f, struct pipe_id *pipes, uint32_t *npipes,
                     struct net_pairs *pairs, uint8_t *buf)
{
    struct snap_buf *b = &s->b;
    if (f->sock) {
        snap_put_u8(b, FK_SOCKET);
        snap_put_u32(b, (uint32_t)f->flags);
        return net_save_file(f, fd, b, pairs, buf, s->err, s->errlen);
    }
    if (f->sigfd) {
        snap_put_u8(b, FK_SIGNALFD);
        snap_put_u32(b, (uint32_t)f->flags);
        snap_put_u64(b, f->sigmask);
        return 0;
    }
    if (f->stream) {
        if (!f->borrowed)
            return save_fail(s->err, s->errlen, -LX_ENOTSUP, "fd %d is a standard stream redirected by a parent VM", fd);
        snap_put_u8(b, FK_STREAM);
        snap_put_u32(b, (uint32_t)f->fd);   /* the host's 0, 1 or 2: the restorer's own */
        return 0;
    }
    struct host_stat st;
    if (f->fd >= 0 && host_fstat(f->fd, &st) != 0)
        return save_fail(s->err, s->errlen, -LX_EIO, "fd %d: cannot inspect the open file", fd);
    if (f->type == LX_S_IFIFO && f->mount < 0) {
        uint32_t id = 0;
        while (id < *npipes && !(pipes[id].dev == st.dev && pipes[id].ino == st.ino))
            id++;
        if (id == *npipes)
            pipes[(*npipes)++] = (struct pipe_id){ st.dev, st.ino };
        bool reader = (f->flags & LX_O_ACCMODE) == LX_O_RDONLY;
        long n = reader ? host_pipe_peek(f->fd, buf, PIPE_MAX) : 0;
        if (n < 0)
            return save_fail(s->err, s->errlen, n == -LX_ENOSYS ? -LX_ENOTSUP : -LX_EIO,
                        "fd %d: cannot read what its pipe holds", fd);
        snap_put_u8(b, FK_PIPE);
        snap_put_u32(b, (uint32_t)f->flags);
        snap_put_u32(b, id);
        snap_put_u8(b, reader);
        snap_put_u32(b, (uint32_t)n);
        snap_put_bytes(b, buf, (size_t)n);
        return 0;
    }
    if (!f->path || f->type == LX_S_IFIFO || f->type == LX_S_IFSOCK)
        return save_fail(s->err, s->errlen, -LX_ENOTSUP, "fd %d is a kind of file a snapshot cannot hold yet", fd);
    if (f->fd >= 0 && st.nlink == 0 && f->type != LX_S_IFDIR)
        return save_fail(s->err, s->errlen, -LX_ENOTSUP, "fd %d: the file was deleted while open", fd);
    int64_t pos = 0;
    if (f->fd < 0)
        pos = (int64_t)f->vpos;
    else if (f->type == LX_S_IFREG && !(f->flags & LX_O_PATH))
        pos = host_lseek(f->fd, 0, LX_SEEK_CUR);
    snap_put_u8(b, FK_PATH);
    snap_put_u32(b, (uint32_t)f->flags);
    snap_put_u32(b, f->type);
    snap_put_str(b, f->path[0] ? f->path : "/");
    snap_put_u64(b, (uint64_t)(pos < 0 ? 0 : pos));
    return 0;
}

/* Every open file description of the VM's processes, each once: the
 * first process's FILES section holds them all, every process's fd table
 * names them by index (a pipe or a file offset shared across fork stays
 * shared). */
int save_files(struct saver *s)
{
    struct fs *fs = s->p->fs;
    struct snap_buf *b = &s->b;
    int r = 0, nfds = 0;
    if (s->index == 0) {
        size_t most = 1;
        for (int k = 0; k < s->nprocs; k++)
            most += (size_t)s->procs[k]->fs->nfds;
        struct pipe_id *pipes = calloc(most, sizeof *pipes);
        struct net_pairs pairs = { .serial = calloc(most, sizeof *pairs.serial) };
        uint8_t *buf = malloc(PIPE_MAX);
        uint32_t npipes = 0;
        if (!(s->files = calloc(most, sizeof *s->files)) || !pipes || !buf || !pairs.serial)
            r = save_fail(s->err, s->errlen, -LX_ENOMEM, "out of memory");
        snap_put_u32(b, 0);     /* the count of descriptions, set below */
        for (int k = 0; k < s->nprocs && r == 0; k++) {
            const struct fs *pf = s->procs[k]->fs;
            for (int fd = 0; fd < pf->nfds && r == 0; fd++) {
                const struct file *f = pf->fds[fd].f;
                uint32_t i = 0;
                while (f && i < s->nfiles && s->files[i] != f)
                    i++;
                if (f && i == s->nfiles) {
                    s->files[s->nfiles++] = f;
                    r = save_file(s, fd, f, pipes, &npipes, &pairs, buf);
                }
            }
        }
        if (r == 0 && !b->oom)
            st32(b->data, s->nfiles);
        free(pipes);
        free(pairs.serial);
        free(buf);
    } else {
        snap_put_u32(b, 0);     /* the first process's section has them */
    }
    for (int fd = 0; fd < fs->nfds; fd++)
        nfds += fs->fds[fd].f != NULL;
    snap_put_u32(b, (uint32_t)nfds);
    for (int fd = 0; fd < fs->nfds && r == 0; fd++) {
        const struct file *f = fs->fds[fd].f;
        if (!f)
            continue;
        uint32_t i = 0;
        while (i < s->nfiles && s->files[i] != f)
            i++;
        if (i == s->nfiles)     /* opened since the first section: cannot be */
            r = save_fail(s->err, s->errlen, -LX_EIO, "fd %d changed while saving", fd);
        snap_put_u32(b, (uint32_t)fd);
        snap_put_u8(b, fs->fds[fd].cloexec);
        snap_put_u32(b, i);
    }
    if (r == 0)
        r = save_flush(s, SAVE_FILES);
    snap_buf_reset(b);
    if (r == 0 && s->index == 0)
        r = save_epolls(s);
    return r;
}

/* EPOLL: u32 count, then per item u32 the epoll instance's index, u32 the
 * watched description's, u32 events, u64 data. */
struct epoll_list {
    struct saver *s;
    uint32_t ep, n;
};

static int epoll_item(void *ctx, int hfd, uint32_t events, uint64_t data)
{
    struct epoll_list *l = ctx;
    struct saver *s = l->s;
    uint32_t j = 0;
    while (j < s->nfiles && s->files[j]->fd != hfd)
        j++;
    if (j == s->nfiles)     /* a description alive but in no fd table (in flight in a message) */
        return save_fail(s->err, s->errlen, -LX_ENOTSUP, "an epoll instance watches a file no fd holds");
    snap_put_u32(&s->b, l->ep);
    snap_put_u32(&s->b, j);
    snap_put_u32(&s->b, events);
    snap_put_u64(&s->b, data);
    l->n++;
    return 0;
}

int save_epolls(struct saver *s)
{
    struct epoll_list l = { .s = s };
    snap_put_u32(&s->b, 0);     /* the count, set below */
    int r = 0;
    for (l.ep = 0; l.ep < s->nfiles && r >= 0; l.ep++) {
        const struct file *f = s->files[l.ep];
        if (f->sock && f->sock->kind == SK_EPOLL && (r = host_epoll_list(f->fd, epoll_item, &l)) == -LX_ENOSYS)
            r = save_fail(s->err, s->errlen, -LX_ENOTSUP, "this host cannot say what an epoll instance watches");
        else if (r < 0 && r != -LX_ENOTSUP)
            r = save_fail(s->err, s->errlen, -LX_EIO, "cannot read what an epoll instance watches");
    }
    if (r < 0 || l.n == 0) {
        snap_buf_reset(&s->b);
        return r < 0 ? r : 0;
    }
    if (!s->b.oom)
        st32(s->b.data, l.n);
    return save_flush(s, SAVE_EPOLL);
}

int restore_epolls(struct restore *rs, struct snap_cur *c, char *err, size_t errlen)
{
    uint32_t n = snap_get_u32(c);
    if (rs->nprocs > 1 || n == 0 || n > FS_NOFILE_MAX * 4)
        return restore_bad(err, errlen, "epoll");
    for (uint32_t i = 0; i < n; i++) {
        uint32_t ep = snap_get_u32(c), j = snap_get_u32(c), events = snap_get_u32(c);
        uint64_t data = snap_get_u64(c);
        if (c->bad || ep >= rs->nfiles || j >= rs->nfiles || ep == j || !rs->files[ep]->sock ||
            rs->files[ep]->sock->kind != SK_EPOLL || rs->files[j]->fd < 0)
            return restore_bad(err, errlen, "epoll");
        int r = host_epoll_ctl(rs->files[ep]->fd, 1, rs->files[j]->fd, events, data);
        if (r < 0)
            return save_fail(err, errlen, r == -LX_EEXIST || r == -LX_EINVAL || r == -LX_EPERM || r == -LX_ELOOP
                                                ? -LX_EBADMSG : r,
                             "cannot watch a file with an epoll instance again: %s", strerror(-r));
    }
    return snap_cur_end(c) ? 0 : restore_bad(err, errlen, "epoll");
}

/* A description from the FILES section, made anew here; NULL with *r set
 * on failure. */
struct pipe_pair {
    int fd[2];
    bool used[2];
};

static struct file *restore_file(struct fs *fs, struct snap_cur *c, struct pipe_pair *pipes, uint32_t npipes,
                                 struct net_pairs *pairs, int *r, char *err, size_t errlen)
{
    int kind = snap_get_u8(c);
    uint32_t flags = snap_get_u32(c);
    char path[FS_PATH_MAX];
    struct file *f = NULL;
    *r = -LX_EBADMSG;
    switch (kind) {
    case FK_STREAM:
        if (flags > 2) {
            restore_bad(err, errlen, "files");
            return NULL;
        }
        if (!(f = fs_stream_file_in(fs, (int)flags)))
            *r = save_fail(err, errlen, -LX_EBADF, "it had standard stream %u, which is not open here", flags);
        return f;
    case FK_SOCKET:
        return net_restore_file(fs, c, (int)flags, pairs, r, err, errlen);
    case FK_SIGNALFD:
        if ((f = file_new(-1, -1, LX_O_RDWR | ((int)flags & LX_O_NONBLOCK), 0, NULL))) {
            f->sigfd = true;
            f->sigmask = snap_get_u64(c);
        } else {
            *r = save_fail(err, errlen, -LX_ENOMEM, "out of memory");
        }
        return f;
    case FK_PIPE: {
        uint32_t id = snap_get_u32(c);
        bool reader = snap_get_u8(c) != 0;
        uint32_t n = snap_get_u32(c);
        const uint8_t *data = n ? snap_get_bytes(c, n) : NULL;
        if (c->bad || id >= npipes || n > PIPE_MAX || (n && !reader) ||
            pipes[id].used[!reader] || reader != ((flags & LX_O_ACCMODE) == LX_O_RDONLY)) {
            restore_bad(err, errlen, "files");
            return NULL;
        }
        struct pipe_pair *pp = &pipes[id];
        if (pp->fd[0] < 0 && (*r = host_pipe(pp->fd, 0)) < 0) {
            save_fail(err, errlen, *r, "cannot make a pipe: %s", strerror(-*r));
            return NULL;
        }
        if (n && (*r = host_pipe_fill(pp->fd[1], data, n)) < 0) {
            save_fail(err, errlen, *r, "cannot refill a pipe: %s", strerror(-*r));
            return NULL;
        }
        int hfd = pp->fd[!reader];
        if (!(f = file_new(hfd, -1, (int)flags, LX_S_IFIFO, NULL))) {
            *r = save_fail(err, errlen, -LX_ENOMEM, "out of memory");
            return NULL;
        }
        pp->used[!reader] = true;
        host_setfl(hfd, (int)flags);
        return f;
    }
    case FK_PATH: {
        uint32_t type = snap_get_u32(c);
        if (snap_get_str(c, path, sizeof path) < 0 || c->bad) {
            restore_bad(err, errlen, "files");
            return NULL;
        }
        uint64_t pos = snap_get_u64(c);
        int open = (int)(flags & ~(uint32_t)(LX_O_CREAT | LX_O_EXCL | LX_O_TRUNC | LX_O_NOCTTY));
        int gfd = fs_openat(fs, LX_AT_FDCWD, path, open, 0);
        if (gfd < 0) {
            *r = save_fail(err, errlen, gfd, "cannot open %s again: %s", restore_shown(path), strerror(-gfd));
            return NULL;
        }
        f = fd_file(fs, gfd);
        f->refs++;
        fs_close(fs, gfd);
        if (f->type != type) {
            *r = save_fail(err, errlen, -LX_ENOENT, "%s is not the kind of file it was", restore_shown(path));
            file_unref(f);
            return NULL;
        }
        if (f->fd < 0)
            f->vpos = pos;
        else if (type == LX_S_IFREG && !(flags & LX_O_PATH) && host_lseek(f->fd, (int64_t)pos, LX_SEEK_SET) < 0) {
            *r = save_fail(err, errlen, -LX_EIO, "cannot seek in %s again", restore_shown(path));
            file_unref(f);
            return NULL;
        }
        return f;
    }
    }
    restore_bad(err, errlen, "files");
    return NULL;
}

/* The first FILES section: every open file description of the VM, kept
 * in rs->files until every process's fd table is back. */
static int restore_descriptions(struct restore *rs, struct snap_cur *c, uint32_t nfiles, char *err, size_t errlen)
{
    struct fs *fs = rs->p->fs;
    struct pipe_pair *pipes = calloc((size_t)nfiles + 1, sizeof *pipes);
    struct net_pairs pairs = { .n = nfiles, .fd = calloc((size_t)nfiles + 1, sizeof *pairs.fd),
                               .used = calloc((size_t)nfiles + 1, sizeof *pairs.used) };
    int r = 0;
    if (!(rs->files = calloc((size_t)nfiles + 1, sizeof *rs->files)) || !pipes || !pairs.fd || !pairs.used)
        r = save_fail(err, errlen, -LX_ENOMEM, "out of memory");
    for (uint32_t i = 0; r == 0 && i < nfiles; i++)
        pipes[i].fd[0] = pipes[i].fd[1] = pairs.fd[i][0] = pairs.fd[i][1] = -1;
    for (uint32_t i = 0; r == 0 && i < nfiles; i++) {
        if (!(rs->files[i] = restore_file(fs, c, pipes, nfiles, &pairs, &r, err, errlen)))
            break;
        rs->nfiles++;
        r = 0;
    }
    for (uint32_t i = 0; pipes && i < nfiles; i++)
        for (int e = 0; e < 2; e++)
            if (pipes[i].fd[e] >= 0 && !pipes[i].used[e])
                host_close(pipes[i].fd[e]);
    for (uint32_t i = 0; pairs.fd && pairs.used && i < nfiles; i++)
        for (int e = 0; e < 2; e++)
            if (pairs.fd[i][e] >= 0 && !pairs.used[i][e])
                host_close(pairs.fd[i][e]);     /* the other end was closed before the save */
    free(pipes);
    free(pairs.fd);
    free(pairs.used);
    return r;
}

int restore_files(struct restore *rs, struct snap_cur *c, char *err, size_t errlen)
{
    struct fs *fs = rs->p->fs;
    uint32_t nfiles = snap_get_u32(c);
    /* The first process's section has them all; the others', none. */
    if (c->bad || nfiles > FS_NOFILE_MAX || (rs->nprocs > 1 && nfiles))
        return restore_bad(err, errlen, "files");
    /* The saved limit applies once every file is back: a guest may hold
     * fds above a soft limit it lowered afterwards. */
    fs->nofile = fs->nofile_max;
    int r = rs->nprocs == 1 ? restore_descriptions(rs, c, nfiles, err, errlen) : 0;
    if (r != 0)
        return r;
    /* The table: what fs_new put there goes, the saved fds come back. */
    for (int fd = 0; fd < fs->nfds; fd++)
        if (fs->fds[fd].f)
            fs_close(fs, fd);
    uint32_t nfds = snap_get_u32(c);
    int last = -1;
    for (uint32_t k = 0; k < nfds && r == 0; k++) {
        uint32_t fd = snap_get_u32(c);
        bool cloexec = snap_get_u8(c) != 0;
        uint32_t i = snap_get_u32(c);
        if (c->bad || i >= rs->nfiles || (int64_t)fd <= last || fd >= FS_NOFILE_MAX) {
            r = restore_bad(err, errlen, "files");
            break;
        }
        if ((int)fd >= fs->nfds && (r = fd_alloc(fs, (int)fd)) < 0) {
            r = save_fail(err, errlen, r, "out of memory");
            break;
        }
        r = 0;
        rs->files[i]->refs++;
        fs->fds[fd] = (struct fd_slot){ .f = rs->files[i], .cloexec = cloexec };
        last = (int)fd;
    }
    if (r == 0 && !snap_cur_end(c))
        r = restore_bad(err, errlen, "files");
    if (r == 0)
        r = fs_set_nofile(fs, rs->nofile, rs->nofile_max) == 0 ? 0 : restore_bad(err, errlen, "file system");
    return r;
}

