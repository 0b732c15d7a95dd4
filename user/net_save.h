/*
 * net_save.h — sockets, eventfds and timerfds in a snapshot's FILES
 * section (user/net_save.c; called by user/save.c).
 */
#ifndef MVM_USER_NET_SAVE_H
#define MVM_USER_NET_SAVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct file;
struct fs;
struct snap_buf;
struct snap_cur;

/* Unix socket pairs made inside the VM, numbered 1.. as met. */
struct net_pairs {
    uint64_t *serial;       /* saving: the pairs met (room for one per fd) */
    uint32_t n;             /* saving: how many; restoring: the most there may be */
    int (*fd)[2];           /* restoring: the host ends, -1 until made */
    bool (*used)[2];        /* restoring: ends a file took (the others are
                               closed once the files are back) */
};

/* Whether f can be saved (0), or why not (-LX_ENOTSUP, reason in err). */
int net_check_file(const struct file *f, int fd, char *err, size_t errlen);
/*
 * Saves the socket, eventfd or timerfd f (the guest's fd: for messages)
 * after its kind and flags; buf: room for 1 MiB (a pair's queue). 0, or
 * -LX_ENOTSUP / -LX_EIO with the reason in err.
 */
int net_save_file(const struct file *f, int fd, struct snap_buf *b, struct net_pairs *pairs, uint8_t *buf,
                  char *err, size_t errlen);
/* The file again, with its status flags: NULL with *r (-LX_EBADMSG for a
 * malformed record, -LX_EACCES for an address no longer granted, ...) and
 * the reason in err. */
struct file *net_restore_file(struct fs *fs, struct snap_cur *c, int flags, struct net_pairs *pairs, int *r,
                              char *err, size_t errlen);

#endif
