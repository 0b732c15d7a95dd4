/* work.h — the loops of the bench/board kernels, shared word for word by
 * the kernels (nop.c, cpu.c, tlb.c: riscv64, bare metal, in S mode with Sv39 on)
 * and the host build (host.c), which gives the checksum the kernels must
 * print, worked out independently of either emulator, and the native
 * time beside them. Integer arithmetic only, on uint64_t: the same on
 * every host. */
#ifndef WORK_H
#define WORK_H
#include <stdint.h>

/* The sizes, fixed: the same work under every runner. */
#ifndef CPU_ITERS
#define CPU_ITERS	400000000ull	/* cpu_work iterations */
#endif
#define TLB_BYTES	(256ull << 20)	/* tlb_work's memory: 65536 4 KiB pages */
#define TLB_WORDS	(TLB_BYTES / 8)
#ifndef TLB_ACCESSES
#define TLB_ACCESSES	16000000ull	/* random (load, store) pairs */
#endif

#define LCG_MUL	6364136223846793005ull	/* Knuth's MMIX LCG */
#define LCG_ADD	1442695040888963407ull

/* splitmix64's finaliser: every output bit depends on every input bit */
static inline uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* CPU-bound: an LCG stepped `iters` times, each output mixed (xorshift
 * and multiply), folded into a running sum, and read-modify-written into
 * a 64-word array (512 bytes, on the stack) at an index it picks. */
static __attribute__((unused)) uint64_t cpu_work(uint64_t iters)
{
	uint64_t a[64];
	for (unsigned i = 0; i < 64; i++)
		a[i] = (i + 1) * 0x9e3779b97f4a7c15ull;
	uint64_t x = 0x243f6a8885a308d3ull, s = 0;
	for (uint64_t i = 0; i < iters; i++) {
		x = x * LCG_MUL + LCG_ADD;
		uint64_t z = x ^ (x >> 31);
		z *= 0xbf58476d1ce4e5b9ull;
		z ^= z >> 27;
		unsigned j = (unsigned)(z >> 58);
		uint64_t v = a[j] + z;
		a[j] = (v << 13) | (v >> 51);
		s += v ^ (s >> 7);
	}
	for (unsigned i = 0; i < 64; i++)
		s = s * 31 + a[i];
	return s;
}

/* TLB-heavy: m is TLB_BYTES of memory (in the kernel, 256 MiB of guest-
 * virtual memory in 4 KiB pages). First every word is written in order
 * (m[i] = i * K), then `n` times: a word at a random index is loaded and
 * folded into the sum, and another word at a random index is stored (the
 * indices are the two halves of a mixed LCG output), so that nearly
 * every access lands on another page than the last. */
static __attribute__((unused)) uint64_t tlb_work(volatile uint64_t *m, uint64_t n)
{
	for (uint64_t i = 0; i < TLB_WORDS; i++)
		m[i] = i * 0x9e3779b97f4a7c15ull;
	uint64_t x = 0x13198a2e03707344ull, s = 0;
	for (uint64_t i = 0; i < n; i++) {
		x = x * LCG_MUL + LCG_ADD;
		uint64_t z = mix64(x);
		uint64_t v = m[z & (TLB_WORDS - 1)];
		s = s * 31 + v;
		m[(z >> 32) & (TLB_WORDS - 1)] = v ^ x;
	}
	return s;
}

#endif
