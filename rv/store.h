/*
 * store.h — decoded code shared by the VMs of a sharing domain.
 *
 * The VMs of a dense host mostly run the same programs, and each decodes
 * the same blocks. A block's decoded ops depend on nothing but its bytes
 * (and on what the ops themselves hold: the board's deny flags, made
 * illegal ops, and the interpreter's handler addresses): branch targets
 * are offsets from the block's pc, never addresses. So ops equal byte for
 * byte are interchangeable, wherever and by whom they were decoded. A
 * domain's store keeps one copy of each op sequence its VMs decode, and
 * their blocks point to it (struct rv_block.ops); what changes as a block
 * runs (its heat, chained successors, compiled code) stays in the VM's
 * own block. A VM whose code is written decodes new ops, which find or
 * make another copy: the store never changes what it holds.
 *
 * Only VMs of a sharing domain (mem_pool_share) use one: the same opt-in
 * as page sharing (docs/fleet.md). The store is freed with its domain,
 * which outlives its VMs. It holds at most STORE_SIZE bytes of ops,
 * charged to the domain as it grows (they may outlive the VM that
 * decoded them, as merged pages do); when it is full, or the domain's
 * limit leaves no room, blocks keep their ops in their own cache.
 */
#ifndef MVM_STORE_H
#define MVM_STORE_H

#include "mem/mem.h"
#include "rv/decode.h"

struct rv_store;

/* The store of the sharing domain pool is in, made at the first call;
 * NULL if pool is in no sharing domain (or the host has no memory). */
struct rv_store *rv_store_of(struct mem_pool *pool);

/* The store's copy of ops[0, n): found, or made; NULL if it has no room
 * (keep them yourself). The copy never changes and lives as long as the
 * store. Any host thread. */
const struct rv_op *rv_store_intern(struct rv_store *s, const struct rv_op *ops, uint32_t n);

struct rv_store_stats {
    uint64_t bodies;    /* op sequences kept */
    uint64_t bytes;     /* of store memory they take */
    uint64_t found;     /* blocks that found their ops there */
    uint64_t refused;   /* blocks that found no room */
};
void rv_store_stats(struct rv_store *s, struct rv_store_stats *out);

#endif
