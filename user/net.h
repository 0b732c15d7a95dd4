/*
 * net.h — the guest's network grants and its sockets (user/net.c).
 *
 * Off by default: a guest may create sockets, but binds, listens,
 * connects and sends to an address succeed only for what was granted —
 * `--listen ADDR:PORT` (bind and listen there), `--connect HOST:PORT`
 * (connect and send there) — and fail with EACCES otherwise, as behind a
 * firewall. AF_UNIX names live in the sandbox (paths) or in a namespace
 * private to the VM (abstract names). docs/sandbox.md has the model.
 */
#ifndef MVM_USER_NET_H
#define MVM_USER_NET_H

#include <stddef.h>
#include <stdint.h>

struct fs;
struct proc;

#define NET_LISTEN 0
#define NET_CONNECT 1

/* Grants an address ("127.0.0.1:8080", "[::1]:80", "localhost:5432"):
 * 0, -LX_EINVAL if malformed. */
int net_allow(struct fs *fs, int direction, const char *spec);
/* The same, only if sandbox from has that grant itself (a parent VM
 * granting its child): -LX_EACCES otherwise. Composition never widens. */
int net_allow_from(struct fs *fs, struct fs *from, int direction, const char *spec);
/* Grant i of the sandbox as it was given (and its direction), or NULL
 * past the last: what a snapshot records. */
const char *net_grant(const struct fs *fs, int i, int *direction);

/* A guest sockaddr for a trace line: "{AF_INET, 127.0.0.1:80}". */
void net_trace_addr(struct proc *p, uint64_t va, uint64_t len, char *out, size_t size);

#endif
