/*
 * unix.h — the monitor's own Unix domain sockets (the control socket of a
 * running VM), as opposed to the guests' (host/net.h). Functions return a
 * descriptor, 0, or -errno; a peer that goes away is an error (EPIPE),
 * never a signal.
 */
#ifndef MVM_HOST_UNIX_H
#define MVM_HOST_UNIX_H

#include <stddef.h>

/* A directory for the monitor's sockets that only this user can use:
 * made (mode 0700) if missing; -EPERM if it exists but is a link, not a
 * directory, another user's, or open to others. */
int host_private_dir(const char *path);
/* Listens at path (mode 0600; an old socket there nobody answers on is
 * replaced: -EADDRINUSE if someone does). */
int host_unix_listen(const char *path);
/* Waits up to timeout_ms (-1: for ever) for a connection from a process
 * of this user (others are refused): the connection, -ETIMEDOUT, or
 * -errno. */
int host_unix_accept(int lfd, int timeout_ms);
int host_unix_connect(const char *path);
/* Reads one line (up to '\n', not kept) of at most size - 1 bytes within
 * timeout_ms: its length, -EMSGSIZE if longer, -ETIMEDOUT, -errno; 0 at
 * the end of input before any byte. */
long host_read_line(int fd, char *buf, size_t size, int timeout_ms);

/* Sends all n bytes on a socket: 0, or -errno (-EPIPE when the peer has
 * gone: never SIGPIPE). */
int host_send_all(int fd, const void *buf, size_t n);
/* The names in dir ending in suffix, without it, sorted: how many (*out
 * freed with host_dir_names_free), or -errno. */
int host_dir_names(const char *dir, const char *suffix, char ***out);
void host_dir_names_free(char **names, int n);
/* path made absolute (its directory resolved; the file need not exist):
 * malloc'ed, or NULL if the directory does not exist. */
char *host_abs_path(const char *path);

#endif
