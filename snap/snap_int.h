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

#endif
