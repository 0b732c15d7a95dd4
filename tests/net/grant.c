/* Composition never widens: a guest makes a VM (hypercall) and grants it
 * network addresses; only what the guest holds itself is accepted. */
#include <stdint.h>
#include <stdio.h>

#include "mvm_hypercall.h"

static long hc(unsigned n, long a0, long a1, long a2, long a3)
{
    register long r0 __asm__("a0") = a0, r1 __asm__("a1") = a1, r2 __asm__("a2") = a2, r3 __asm__("a3") = a3;
    register long r7 __asm__("a7") = (long)(MVM_HC_BASE + n);
    __asm__ volatile("ecall" : "+r"(r0) : "r"(r1), "r"(r2), "r"(r3), "r"(r7) : "memory");
    return r0;
}

int main(void)
{
    if (hc(MVM_HC_PROBE, 0, 0, 0, 0) != MVM_HC_MAGIC) {
        printf("not inside mvm\n");
        return 0;
    }
    uint8_t cfg[MVM_HC_CONFIG_SIZE] = { 0 };
    long h = hc(MVM_HC_VM_CREATE, (long)cfg, 0, 0, 0);
    if (h <= 0) {
        printf("create: %ld\n", h);
        return 1;
    }
    printf("listen 127.0.0.1:4444: %ld\n", hc(MVM_HC_VM_ALLOW_NET, h, 0, 0, (long)"127.0.0.1:4444"));
    printf("listen 127.0.0.1:4445: %ld\n", hc(MVM_HC_VM_ALLOW_NET, h, 0, 0, (long)"127.0.0.1:4445"));
    printf("connect 127.0.0.1:4444: %ld\n", hc(MVM_HC_VM_ALLOW_NET, h, 0, 1, (long)"127.0.0.1:4444"));
    printf("connect localhost:80: %ld\n", hc(MVM_HC_VM_ALLOW_NET, h, 0, 1, (long)"localhost:80"));
    printf("connect 127.0.0.1:80: %ld\n", hc(MVM_HC_VM_ALLOW_NET, h, 0, 1, (long)"127.0.0.1:80"));
    printf("connect [::1]:80: %ld\n", hc(MVM_HC_VM_ALLOW_NET, h, 0, 1, (long)"[::1]:80"));
    printf("malformed: %ld\n", hc(MVM_HC_VM_ALLOW_NET, h, 0, 1, (long)"nowhere"));
    printf("bad direction: %ld\n", hc(MVM_HC_VM_ALLOW_NET, h, 0, 7, (long)"127.0.0.1:4444"));
    printf("bad pointer: %ld\n", hc(MVM_HC_VM_ALLOW_NET, h, 0, 0, 16));
    printf("bad handle: %ld\n", hc(MVM_HC_VM_ALLOW_NET, 63, 0, 0, (long)"127.0.0.1:4444"));
    return 0;
}
