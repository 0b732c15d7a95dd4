/*
 * elf_seed.S — the program inside the ELF seeds of fuzz_elf: text, data
 * and bss, so a seed has an executable and a writable segment with a bss
 * tail. `tests/fuzz/run.sh --update-seeds` links it as a static ET_EXEC and
 * as a static-PIE (ET_DYN); both run and exit 0 under qemu-riscv64.
 */
        .text
        .globl  _start
_start:
        lla     t0, value
        ld      t1, 0(t0)
        sd      t1, 8(t0)
        li      a0, 0
        li      a7, 93
        ecall

        .data
value:  .dword  42
        .bss
        .space  8200
