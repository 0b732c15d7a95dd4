/*
 * mem_int.h — what the files of mem/ share and nobody else needs.
 */
#ifndef MVM_MEM_INT_H
#define MVM_MEM_INT_H

#include "mem/mem.h"

enum { MEM_COUNT_COW, MEM_COUNT_ZERO };

struct mem_page *mem_page_alloc_raw(struct mem_pool *pool);
void mem_pool_count(struct mem_pool *pool, int what);

#endif
