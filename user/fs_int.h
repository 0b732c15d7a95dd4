/*
 * fs_int.h — what the sandbox's two files share (user/fs.c: mounts, the
 * path resolver, path-based calls; user/fd.c: the fd table and the calls
 * on open files): the structures and a few helpers.
 */
#ifndef MVM_USER_FS_INT_H
#define MVM_USER_FS_INT_H

#include "user/fs.h"

#define WALK_FDS 16                       /* host handles a walk keeps open */
#define WALK_DEPTH (FS_PATH_MAX / 2 + 2)  /* "/a" per level */
#define RETRIES 8                         /* attempts when the host changes under a call */

/*
 * Modes the guest asks for lose their set-user-ID and set-group-ID bits,
 * as if every mount were nosuid and more: a guest must not leave behind a
 * file that runs with its host owner's rights for whoever runs it there.
 */
#define NOT_GRANTED 06000u

struct mount {
    char *guest;          /* canonical: "" for "/", else "/a/b" */
    size_t len;
    int fd;               /* handle of the host directory */
    bool ro;
    char *host;           /* the host directory as granted (snapshots re-attach
                             it); NULL for one passed down from another sandbox */
    char *above;          /* passed down (fs_add_dir_from): the directory's path
                             in the view of the sandbox at the top, whose mounts
                             have host paths (a snapshot of a VM a guest made
                             grants it again from there); NULL if unknown */
};

/* An open file description, shared by dup'ed fds. */
struct file {
    _Atomic int refs;     /* descriptors of every process holding it */
    int fd;               /* host handle; -1 for a virtual directory */
    bool borrowed;        /* the host's 0, 1, 2: never closed */
    bool stream;          /* a standard stream from outside the sandbox (the
                             host's, or redirected by a parent VM) */
    bool ro;              /* from a read-only grant (kept when passed to a child) */
    int mount;            /* mount index; -1 outside any (virtual dir, pipe, std stream) */
    int flags;            /* LX_O_* status flags */
    uint32_t type;        /* LX_S_IF* */
    char *path;           /* canonical guest path when opened (NULL: pipes,
                             sockets, streams): directories list it, snapshots reopen it */
    struct host_dir *dir; /* directory stream, opened by the first getdents64 */
    uint64_t vpos;        /* position in a virtual directory's listing */
    struct sock *sock;    /* sockets and event objects: user/net.c's state */
    bool sigfd;           /* a signalfd (fd -1, type 0): user/signal.c reads it */
    uint64_t sigmask;     /* its signals */
};

struct fd_slot {
    struct file *f;
    bool cloexec;
};

/* A node of the walk: mount -1 is virtual; STALE has to be re-resolved. */
#define STALE (-2)
struct wnode {
    int mount;
    int fd;
    bool own;
    uint32_t plen;
};

struct walk {
    struct wnode n[WALK_DEPTH];
    int depth;
    int owned_open;
    int links;
    char path[FS_PATH_MAX];
};

struct fs {
    struct mount *mounts;
    int nmounts;
    struct fd_slot *fds;
    int nfds;             /* slots allocated */
    uint64_t nofile, nofile_max;
    struct file *cwd;
    uint32_t umask;
    int64_t born;         /* time stamps of virtual directories */
    bool stream_meta;     /* metadata changes allowed on streams (MVM_STREAM_META) */
    struct walk *w;       /* scratch: one resolution at a time (made at the first) */
    struct net *net;      /* network grants (user/net.c); NULL: none */
};

/* What a resolution found. */
struct loc {
    int mount;            /* -1: virtual */
    int dir_fd;           /* parent's handle (name set) or the node's (name "") */
    bool own;             /* dir_fd is ours to close */
    char name[FS_NAME_MAX + 1];  /* last component; "" when the path names a directory node */
    bool exists;          /* name set: the entry was found; st describes it */
    struct host_stat st;
    bool must_dir;        /* the path ended with '/' */
    int dots;             /* node reached by a final "." (1) or ".." (2) */
    bool fixed;           /* node is "/", a mount root or virtual: cannot be removed or renamed */
    char path[FS_PATH_MAX];      /* canonical guest path */
};

/* Helpers of user/fs.c that user/fd.c uses. */
struct file *fd_file(struct fs *fs, int fd);      /* NULL if fd is not open */
uint64_t path_hash(const char *p);
struct file *file_new(int fd, int mount, int flags, uint32_t type, const char *path);
void file_unref(struct file *f);
/* The host's standard stream i (0..2) as a borrowed file; NULL if the
 * host has no such fd or out of memory. */
struct file *fs_stream_file(int i);
/* The same, taken from fs's table when it still holds it as fs_new put it
 * there (a reference more), so that a restore asks the host once. */
struct file *fs_stream_file_in(struct fs *fs, int i);
int fd_alloc(struct fs *fs, int min);
int get_file(struct fs *fs, int fd, bool path_ok, struct file **out);
/* 0 if the guest may change f's mode, owner or times, else the errno. */
int file_meta_check(const struct fs *fs, const struct file *f);
/* AF_UNIX names (user/net.c): resolves path, then runs fn on the pair
 * (parent handle, last name). create: the name must be new (EADDRINUSE)
 * in a writable mount (EROFS); else it must exist, links followed. */
int fs_unix_at(struct fs *fs, const char *path, bool create,
               int (*fn)(void *ctx, int dir_fd, const char *name), void *ctx);
/* user/net.c's parts of a file and of the sandbox. */
void net_sock_free(struct sock *s);
const char *net_sock_kind(const struct sock *s);   /* "socket", "epoll", ... */
void net_free(struct net *n);
struct net *net_fork(const struct net *n);   /* a forked process's copy of the grants */
/* eventfd/timerfd counters between host and guest (LE) byte order. */
void net_counter_order(struct file *f, void *buf, long n);

#endif
