/*
 * parent.c — the parent backend: a hypercall to the monitor above, when
 * this program is itself a RISC-V guest of mvm. On any other host there is
 * no monitor above and parent_present() is false.
 */
#include "vm/vm_int.h"

#if defined(__riscv) && __riscv_xlen == 64

long parent_hc(unsigned n, long a0, long a1, long a2, long a3, long a4, long a5)
{
    register long r0 __asm__("a0") = a0;
    register long r1 __asm__("a1") = a1;
    register long r2 __asm__("a2") = a2;
    register long r3 __asm__("a3") = a3;
    register long r4 __asm__("a4") = a4;
    register long r5 __asm__("a5") = a5;
    register long r7 __asm__("a7") = (long)(MVM_HC_BASE + n);
    __asm__ volatile("ecall"
                     : "+r"(r0)
                     : "r"(r1), "r"(r2), "r"(r3), "r"(r4), "r"(r5), "r"(r7)
                     : "memory");
    return r0;
}

bool parent_present(void)
{
    /* Under plain Linux this number is no system call: -ENOSYS. */
    static int known = -1;
    if (known < 0)
        known = parent_hc(MVM_HC_PROBE, 0, 0, 0, 0, 0, 0) == MVM_HC_MAGIC;
    return known;
}

#else

long parent_hc(unsigned n, long a0, long a1, long a2, long a3, long a4, long a5)
{
    (void)n; (void)a0; (void)a1; (void)a2; (void)a3; (void)a4; (void)a5;
    return -38;   /* ENOSYS */
}

bool parent_present(void)
{
    return false;
}

#endif
