/*
 * malloc.c — allocator stress: thousands of random malloc/realloc/free
 * operations over many sizes with every block's contents verified, calloc
 * zeroing, aligned allocation, a realloc chain that grows a block to 1 MiB,
 * and large blocks (glibc serves these with mmap, picolibc with brk) whose
 * every page is written and read back. Exercises brk, mmap, munmap and
 * mremap in the monitor, and page zero-fill on first touch.
 * guest-variants: glibc picolibc clang
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"

#define SLOTS 512
#define OPS 6000

static uint64_t rng = 0x9e3779b97f4a7c15u;

static uint32_t next(void)
{
	/* xorshift64*: a fixed sequence, the same on every run */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint32_t)((rng * 0x2545f4914f6cdd1dull) >> 32);
}

struct slot {
	unsigned char *p;
	size_t n;
	unsigned char tag;
};

/* Small blocks are checked byte by byte; big ones at a stride (and their
 * last byte), which keeps the run short but still covers every page. */
static size_t stride(size_t n)
{
	return n < 4096 ? 1 : 61;
}

static int verify(const struct slot *s)
{
	for (size_t i = 0; i < s->n; i += stride(s->n))
		if (s->p[i] != (unsigned char)(s->tag + i))
			return 0;
	return s->n == 0 || s->p[s->n - 1] == (unsigned char)(s->tag + s->n - 1);
}

static void fill(struct slot *s)
{
	for (size_t i = 0; i < s->n; i += stride(s->n))
		s->p[i] = (unsigned char)(s->tag + i);
	if (s->n)
		s->p[s->n - 1] = (unsigned char)(s->tag + s->n - 1);
}

static size_t random_size(void)
{
	uint32_t r = next();
	switch (r % 8) {
	case 0: return r % 8;           /* tiny, including 0 */
	case 1: case 2: case 3: return 8 + r % 120;
	case 4: case 5: return 128 + r % 1920;
	case 6: return 2048 + r % 30000;
	default: return 32768 + r % 200000; /* crosses glibc's mmap threshold */
	}
}

int main(void)
{
	static struct slot slots[SLOTS];
	unsigned long mallocs = 0, reallocs = 0, frees = 0, bad = 0;
	uint64_t sum = 0;

	for (int op = 0; op < OPS; op++) {
		struct slot *s = &slots[next() % SLOTS];
		uint32_t what = next() % 4;
		if (s->p && !verify(s))
			bad++;
		if (!s->p || what == 0) {
			free(s->p);
			s->n = random_size();
			s->p = malloc(s->n ? s->n : 1);
			s->tag = (unsigned char)next();
			if (!s->p) { printf("malloc(%zu) failed\n", s->n); return 1; }
			fill(s);
			mallocs++;
		} else if (what == 1) {
			size_t n = random_size();
			unsigned char *q = realloc(s->p, n ? n : 1);
			if (!q) { printf("realloc(%zu) failed\n", n); return 1; }
			s->p = q;
			/* the common prefix must have survived the move */
			size_t keep = n < s->n ? n : s->n;
			for (size_t i = 0; i < keep; i += stride(s->n))
				if (s->p[i] != (unsigned char)(s->tag + i)) { bad++; break; }
			s->n = n;
			fill(s);
			reallocs++;
		} else if (what == 2) {
			free(s->p);
			s->p = NULL;
			s->n = 0;
			frees++;
		}
	}
	for (int i = 0; i < SLOTS; i++) {
		if (slots[i].p && !verify(&slots[i]))
			bad++;
		/* only bytes fill() wrote: the rest is unspecified and differs
		 * with the heap's layout (which differs with, e.g., the length
		 * of the program's path that glibc's start-up keeps) */
		for (size_t j = 0; j < slots[i].n; j += stride(slots[i].n))
			sum += slots[i].p[j];
		free(slots[i].p);
	}
	printf("random ops: %lu malloc, %lu realloc, %lu free, checksum %llu\n",
	       mallocs, reallocs, frees, (unsigned long long)sum);
	check("every block kept its contents", bad == 0);

	/* calloc must return zeroed memory, also when it reuses freed blocks */
	for (int round = 0; round < 3; round++) {
		size_t n = (size_t)1000 << (round * 4);
		unsigned char *p = malloc(n);
		memset(p, 0xa5, n);
		free(p);
		unsigned char *z = calloc(n, 1);
		size_t nonzero = 0;
		for (size_t i = 0; i < n; i++)
			nonzero += z[i] != 0;
		printf("calloc(%zu): %zu nonzero bytes\n", n, nonzero);
		free(z);
	}

	/* aligned allocation */
	for (size_t a = 16; a <= 65536; a *= 4) {
		void *p = aligned_alloc(a, a * 3);
		printf("aligned_alloc(%zu): %s\n", a,
		       p && ((uintptr_t)p % a) == 0 ? "aligned" : "MISALIGNED");
		free(p);
	}

	/* a block grown step by step to 1 MiB keeps its prefix */
	{
		unsigned char *p = malloc(1);
		size_t n = 1;
		p[0] = 1;
		int ok = 1;
		while (n < (1u << 20)) {
			size_t m = n * 2 + 3;
			p = realloc(p, m);
			for (size_t i = 0; i < n; i += 97)
				ok &= p[i] == (unsigned char)(i * 7 + 1);
			for (size_t i = n; i < m; i++)
				p[i] = (unsigned char)(i * 7 + 1);
			n = m;
		}
		printf("realloc chain reached %zu bytes\n", n);
		check("realloc chain kept its prefix", ok);
		free(p);
	}

	/* large blocks: write every page, read it all back, free in a
	 * different order than allocated */
	{
		static const size_t sizes[] = { 256 << 10, 1 << 20, 4 << 20, 12 << 20, 3 << 20 };
		unsigned char *big[5];
		int ok = 1;
		for (int i = 0; i < 5; i++) {
			big[i] = malloc(sizes[i]);
			if (!big[i]) { printf("malloc(%zu) failed\n", sizes[i]); return 1; }
			for (size_t j = 0; j < sizes[i]; j += 4096)
				big[i][j] = (unsigned char)(i + j / 4096);
			big[i][sizes[i] - 1] = 0x5a;
		}
		for (int i = 0; i < 5; i++) {
			for (size_t j = 0; j < sizes[i]; j += 4096)
				ok &= big[i][j] == (unsigned char)(i + j / 4096);
			ok &= big[i][sizes[i] - 1] == 0x5a;
		}
		free(big[1]);
		free(big[3]);
		big[1] = realloc(big[0], 8 << 20);
		ok &= big[1][4096] == 1;
		free(big[1]);
		free(big[2]);
		free(big[4]);
		check("large blocks hold every page", ok);
	}
	return check_failures ? 1 : 0;
}
