/*
 * snap_int.h — what snap/snap.c (snapshots, receiving a migration) and
 * snap/migrate.c (sending one) share.
 */
#ifndef MVM_SNAP_INT_H
#define MVM_SNAP_INT_H

#include "snap/format.h"
#include "vm/vm_int.h"

/* The receiver's one-byte answers: each PRECOPY section applied (the
 * sender keeps at most a few unanswered: it goes at the receiver's pace),
 * and, once the VM is restored, that it runs there. */
#define MIGRATE_APPLIED "P"
#define MIGRATE_READY "K"

/* A SNAP_E* error as the MVM_E* the public calls return. */
int snap_errno(int r);
/* Why vm cannot be saved now (reason in vm->error), or 0. */
int snap_check_vm(mvm_vm *vm);
/* The VM section: its settings and what is left of its budget. */
int snap_write_vm(mvm_vm *vm, struct snap_writer *w);
/* Those settings (the VM section's fields; a CHILD section has them too),
 * and read back: 0, or -1 if impossible (the fields after are not checked). */
void snap_put_settings(struct snap_buf *b, mvm_vm *vm);
int snap_get_settings(struct snap_cur *c, struct mvm_config *out);

/*
 * The VMs a guest made (snap/tree.c). snap_tree_check: why top's tree
 * cannot be saved now (reason in top->error), or 0; snap_tree_write: a
 * TREE section, then a CHILD section and the sections of each (after
 * top's own). Restoring: snap_tree_begin at the TREE section
 * (*out: NULL before; tmpl: the clone template top is made from, or
 * NULL), then for each CHILD section snap_tree_child, which makes the VM
 * (in its creator's table: destroyed with top from then on), says whether
 * it has ended (*done: no sections of its own follow) and, for a clone,
 * gives its namesake in the template's tree (*tmpl: the VM at the same
 * place, made by the template's restore from the same sections); 0, or an
 * MVM_E* with why set.
 */
int snap_tree_check(mvm_vm *top);
int snap_tree_write(mvm_vm *top, struct snap_writer *w);
struct snap_tree;
int snap_tree_begin(struct snap_tree **out, mvm_vm *top, mvm_vm *tmpl, struct snap_cur *c, char *why, size_t whylen);
int snap_tree_child(struct snap_tree *st, struct snap_cur *c, mvm_vm **out, mvm_vm **tmpl, bool *done, char *why,
                    size_t whylen);
void snap_tree_free(struct snap_tree *st);

/*
 * Lazy restore (snap/lazy.c). With the reader deferring PAGES sections:
 * snap_lazy_add records the one just returned; snap_lazy_index reads the
 * PAGE_INDEX section (0; -1 malformed or not matching the sections
 * recorded, or more than max_pages pages; -2 out of memory);
 * snap_lazy_attach makes it the pager of as (0, or -1: as has one), which
 * then owns it and the reader. Without an index, snap_lazy_pending
 * sections are to be read now: snap_lazy_load(l, i, &c) reads the i-th (0
 * or SNAP_E*), and snap_lazy_forget drops them. snap_lazy_free frees one
 * that was never attached (NULL is ok).
 */
struct snap_lazy;
struct mem_space;
struct snap_lazy *snap_lazy_new(struct snap_reader *rd);
int snap_lazy_add(struct snap_lazy *l);
int snap_lazy_index(struct snap_lazy *l, struct snap_cur *c, uint64_t max_pages);
int snap_lazy_attach(struct snap_lazy *l, struct mem_space *as);
uint32_t snap_lazy_pending(const struct snap_lazy *l);
void snap_lazy_forget(struct snap_lazy *l);   /* the pending ones were read */
int snap_lazy_load(struct snap_lazy *l, uint32_t i, struct snap_cur *c);
void snap_lazy_free(struct snap_lazy *l);

#endif
