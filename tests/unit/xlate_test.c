/*
 * xlate_test.c — translated spaces (mem_space_set_translator), what system
 * mode's paging stands on: an access goes to the page the translator
 * names in the backing space, any 64-bit address may be asked, a refusal
 * is MEM_EFAULT, and writes to code through the backing space (or any
 * other translated space over it) move the translated space's code
 * generation, so decoded blocks die.
 */
#include <string.h>

#include "mem/mem.h"
#include "tests/unit/check.h"

#define PG MEM_PAGE_SIZE
#define HIGH 0xffffffffc0000000ull     /* an upper-half (Sv39) address */
#define PHYS 0x80000000ull

/* HIGH + n pages -> PHYS + n pages, for the first 4 pages; reads only of page 3. */
static int xlate(void *ctx, uint64_t va, int access, uint64_t *to)
{
    int *calls = ctx;
    ++*calls;
    if (va < HIGH || va >= HIGH + 4 * PG)
        return MEM_EFAULT;
    if (va >= HIGH + 3 * PG && access != MEM_R)
        return MEM_EFAULT;
    *to = PHYS + (va - HIGH);
    return 0;
}

static void test_translated_space(void)
{
    struct mem_pool *pool = mem_pool_new(0);
    struct mem_space *phys = mem_space_new(pool), *as = mem_space_new(pool), *other = mem_space_new(pool);
    int calls = 0, other_calls = 0;
    CHECK(mem_map(phys, PHYS, 16 * PG, MEM_R | MEM_W | MEM_X) == 0);
    CHECK(mem_space_set_translator(as, phys, xlate, &calls) == 0);
    CHECK(mem_space_set_translator(other, phys, xlate, &other_calls) == 0);
    /* A translated space cannot be the backing of another. */
    struct mem_space *nested = mem_space_new(pool);
    CHECK(mem_space_set_translator(nested, as, xlate, &calls) == MEM_EINVAL);
    mem_space_free(nested);

    /* Writes through the upper half land in the backing page; reads see them. */
    CHECK(mem_write(as, HIGH + PG + 8, "hello", 5) == 0);
    char buf[8] = { 0 };
    CHECK(mem_read(phys, PHYS + PG + 8, buf, 5) == 0);
    CHECK(memcmp(buf, "hello", 5) == 0);
    CHECK(mem_poke(phys, PHYS + 2 * PG, "world", 5) == 0);
    CHECK(mem_read(as, HIGH + 2 * PG, buf, 5) == 0);
    CHECK(memcmp(buf, "world", 5) == 0);
    CHECK(calls >= 2);
    /* Refusals: outside what it maps, and a write to the read-only page. */
    CHECK(mem_read(as, HIGH + 4 * PG, buf, 1) == MEM_EFAULT);
    CHECK(mem_read(as, 0x1000, buf, 1) == MEM_EFAULT);
    CHECK(mem_write(as, HIGH + 3 * PG, "x", 1) == MEM_EFAULT);
    CHECK(mem_read(as, HIGH + 3 * PG, buf, 1) == 0);
    int err = 0;
    CHECK(mem_translate(as, HIGH + 3 * PG, MEM_W, &err) == NULL && err == MEM_EFAULT);
    /* The host bytes are the backing page's. */
    CHECK(mem_translate(as, HIGH + PG, MEM_R, &err) == mem_translate(phys, PHYS + PG, MEM_R, &err));

    /* Code decoded through `as` from page 1: a write to it through the
     * backing space, or through another translated space, moves as's code
     * generation (and its generation, which drops TLB entries). */
    uint64_t cg = mem_space_code_gen(as), g = mem_space_gen(as);
    mem_mark_code(as, HIGH + PG);
    CHECK(mem_write(phys, PHYS + PG, "z", 1) == 0);
    CHECK(mem_space_code_gen(as) > cg);
    CHECK(mem_space_gen(as) > g);
    cg = mem_space_code_gen(as);
    mem_mark_code(as, HIGH + PG);
    CHECK(mem_write(other, HIGH + PG + 100, "y", 1) == 0);
    CHECK(mem_space_code_gen(as) > cg);
    /* A write elsewhere does not. */
    cg = mem_space_code_gen(as);
    mem_mark_code(as, HIGH + PG);
    CHECK(mem_write(phys, PHYS + 5 * PG, "q", 1) == 0);
    CHECK(mem_space_code_gen(as) == cg);
    /* What its owner changes (the page tables): mem_space_flush_code. */
    mem_space_flush_code(as);
    CHECK(mem_space_code_gen(as) > cg);

    mem_space_free(as);
    mem_space_free(other);
    mem_space_free(phys);
    struct mem_stats st;
    mem_pool_stats(pool, &st);
    CHECK(st.pages_in_use == 0);
    mem_pool_free(pool);
}

int main(void)
{
    RUN(test_translated_space);
    return check_total_failed;
}
