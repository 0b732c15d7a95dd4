/*
 * smc.c — self-modifying code. The program writes RISC-V instructions
 * into an executable mapping, runs them, rewrites them, synchronizes the
 * instruction stream, and runs them again. The unprivileged spec (Zifencei)
 * only promises that a hart sees its own instruction writes after a
 * FENCE.I, so every rewrite is followed by one — as inline assembly, or
 * through __builtin___clear_cache, which on Linux ends in the
 * riscv_flush_icache system call. Also the W^X pattern of JIT compilers:
 * write into a read-write mapping, mprotect it to read-execute, run.
 *
 * Encodings (RISC-V unprivileged spec, RV32I base formats):
 *   addi rd, rs1, imm = imm[11:0] << 20 | rs1 << 15 | 0 << 12 | rd << 7 | 0x13
 *   ret = jalr x0, 0(x1) = 0x00008067;  a0 is x10.
 * So "li a0, imm; ret" returns imm, and a run of "addi a0, a0, k" adds k.
 * guest-variants: glibc clang
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include "check.h"

typedef long (*fn0)(void);
typedef long (*fn1)(long);

static uint32_t addi(int rd, int rs1, int imm)
{
	return (uint32_t)(imm & 0xfff) << 20 | (uint32_t)rs1 << 15 | (uint32_t)rd << 7 | 0x13;
}

#define RET 0x00008067u
#define A0 10

static void fence_i(void)
{
	__asm__ volatile("fence.i" ::: "memory");
}

int main(void)
{
	uint32_t *code = mmap(NULL, 8192, PROT_READ | PROT_WRITE | PROT_EXEC,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (code == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	fn0 f = (fn0)(uintptr_t)code;
	char what[64];

	code[0] = addi(A0, 0, 1);
	code[1] = RET;
	fence_i();
	long r1 = f();
	code[0] = addi(A0, 0, 2);
	fence_i();
	long r2 = f();
	code[0] = addi(A0, 0, -3);
	__builtin___clear_cache((char *)code, (char *)(code + 2));
	long r3 = f();
	printf("rewritten function returned %ld, %ld, %ld\n", r1, r2, r3);
	check("fence.i makes the rewrite visible", r1 == 1 && r2 == 2);
	check("__builtin___clear_cache makes it visible", r3 == -3);

	/* rewrite repeatedly: every version must run exactly once */
	long sum = 0;
	for (int i = 0; i < 300; i++) {
		code[0] = addi(A0, 0, i);
		fence_i();
		sum += f();
	}
	check("300 rewrites, each seen", sum == 299 * 300 / 2);

	/* a longer body: 1000 x "addi a0, a0, k", then ret; patch the middle */
	fn1 g = (fn1)(uintptr_t)(code + 16);
	long want = 0;
	for (int i = 0; i < 1000; i++) {
		int k = (i * 37) % 2001 - 1000;
		code[16 + i] = addi(A0, A0, k);
		want += k;
	}
	code[16 + 1000] = RET;
	fence_i();
	long got = g(5);
	snprintf(what, sizeof what, "1000-instruction body adds %ld", want);
	check(what, got == 5 + want);
	code[16 + 500] = addi(A0, A0, 0);
	code[16 + 999] = RET; /* cut the body short */
	fence_i();
	long want2 = 0;
	for (int i = 0; i < 999; i++)
		want2 += i == 500 ? 0 : (i * 37) % 2001 - 1000;
	got = g(5);
	check("patched middle and shortened body", got == 5 + want2);
	printf("bodies returned %ld then %ld\n", 5 + want, got);

	/* W^X: a read-write page, filled, then made read-execute */
	uint32_t *jit = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	jit[0] = addi(A0, A0, 100);
	jit[1] = addi(A0, A0, 23);
	jit[2] = RET;
	check("mprotect to read-execute",
	      mprotect(jit, 4096, PROT_READ | PROT_EXEC) == 0);
	__builtin___clear_cache((char *)jit, (char *)(jit + 3));
	long j = ((fn1)(uintptr_t)jit)(1000);
	check("W^X code runs", j == 1123);
	check("mprotect back to writable", mprotect(jit, 4096, PROT_READ | PROT_WRITE) == 0);
	jit[1] = addi(A0, A0, 77);
	mprotect(jit, 4096, PROT_READ | PROT_EXEC);
	__builtin___clear_cache((char *)jit, (char *)(jit + 3));
	j = ((fn1)(uintptr_t)jit)(1000);
	check("rewritten W^X code runs", j == 1177);

	munmap(jit, 4096);
	munmap(code, 8192);
	return check_failures ? 1 : 0;
}
