/* montmul.c — chains of 64-bit multiply-high: modular exponentiation with
 * Montgomery multiplication modulo 64-bit primes, the inner loop of RSA and
 * elliptic-curve code (each step a 64x64->128 multiply, a multiply-low and
 * a multiply-high, dependent on the one before).
 *
 * Self-test, by Fermat's little theorem: for a prime p and a not divisible
 * by p, a^(p-1) = 1 (mod p); for p = 2^64 - 59 (the largest 64-bit prime)
 * and 2^61 - 1 (a Mersenne prime) the test must find 1 for every base, and
 * for the composite 2^64 - 1 (= 3 * 5 * 17 * 257 * 641 * 65537 * 6700417)
 * it must not find 1 for base 2 (2^64 = 1 mod 2^64-1, so 2^(2^64-2) = 2^62). */
#include "kernel.h"

typedef unsigned __int128 u128;

struct mont {
	uint64_t n, ninv, r2;   /* modulus (odd), -n^-1 mod 2^64, 2^128 mod n */
};

static uint64_t redc(const struct mont *m, u128 t)
{
	uint64_t u = (uint64_t)t * m->ninv;
	u128 s = t + (u128)u * m->n;   /* may carry out of 128 bits */
	uint64_t hi = (uint64_t)(s >> 64);
	int carry = s < t;
	if (carry || hi >= m->n)
		hi -= m->n;
	return hi;
}

static uint64_t mul(const struct mont *m, uint64_t a, uint64_t b)
{
	return redc(m, (u128)a * b);
}

static void mont_init(struct mont *m, uint64_t n)
{
	uint64_t x = n;   /* Newton: x = n^-1 mod 2^64, doubling correct bits */
	for (int i = 0; i < 6; i++)
		x *= 2 - n * x;
	m->n = n;
	m->ninv = (uint64_t)0 - x;
	u128 r = ((u128)1 << 64) % n;   /* 2^64 mod n */
	m->r2 = (uint64_t)((r * r) % n);
}

/* a^e mod n, a < n. */
static uint64_t powmod(const struct mont *m, uint64_t a, uint64_t e)
{
	uint64_t x = mul(m, a, m->r2), acc = mul(m, 1, m->r2);
	for (; e; e >>= 1) {
		if (e & 1)
			acc = mul(m, acc, x);
		x = mul(m, x, x);
	}
	return redc(m, acc);
}

int main(int argc, char **argv)
{
	uint64_t rounds = kernel_size(argc, argv, 1500000);
	static const uint64_t primes[] = { 0xffffffffffffffc5ull, 0x1fffffffffffffffull };
	struct mont m;
	for (int i = 0; i < 2; i++) {
		mont_init(&m, primes[i]);
		for (uint64_t a = 2; a < 50; a++)
			if (powmod(&m, a, primes[i] - 1) != 1) {
				fprintf(stderr, "montmul self-test: %llu^(p-1) mod %llx is not 1\n",
					(unsigned long long)a, (unsigned long long)primes[i]);
				return 1;
			}
	}
	mont_init(&m, UINT64_MAX);
	if (powmod(&m, 2, UINT64_MAX - 1) != (1ull << 62)) {
		fprintf(stderr, "montmul self-test: 2^(2^64-2) mod 2^64-1 is not 2^62\n");
		return 1;
	}
	/* The run: pseudo-random bases and exponents modulo the two primes. */
	struct mont ms[2];
	mont_init(&ms[0], primes[0]);
	mont_init(&ms[1], primes[1]);
	uint64_t s = 42, sum = 0;
	for (uint64_t r = 0; r < rounds; r++) {
		const struct mont *mp = &ms[r & 1];
		uint64_t a = (rng_next(&s) >> 4) + 2;   /* < 2^60 + 2: below both moduli */
		sum += powmod(mp, a, rng_next(&s));
	}
	printf("montmul rounds=%llu sum=%016llx\n", (unsigned long long)rounds, (unsigned long long)sum);
	return 0;
}
