/*
 * elf.h — validating and loading static ELF64 RISC-V executables
 * (ET_EXEC, and static-PIE ET_DYN without PT_INTERP).
 */
#ifndef MVM_ELF_H
#define MVM_ELF_H

#include <stddef.h>
#include <stdint.h>

#include "mem/mem.h"

struct elf_image {
    uint64_t entry;        /* after relocation by load_bias */
    uint64_t load_bias;    /* 0 for ET_EXEC */
    uint64_t phdr_addr;    /* guest address of the program headers, 0 if not loaded */
    uint64_t phent, phnum;
    uint64_t lo, hi;       /* lowest and highest guest address of the segments */
};

/*
 * Checks the file and maps its PT_LOAD segments into as. Returns 0, or a
 * negative value with a one-line reason in err (the file is bad: the
 * caller exits 126), or MEM_ENOMEM (the memory limit is too small).
 * pie_base is where a static-PIE's lowest segment goes.
 */
int elf_load(struct mem_space *as, const uint8_t *file, size_t size, uint64_t pie_base,
             uint64_t va_limit, struct elf_image *img, char *err, size_t errlen);

#endif
