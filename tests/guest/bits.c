/*
 * bits.c — bit manipulation: population count, leading/trailing zeros,
 * byte swaps, rotates, bit reversal, Gray code, parity, sign extension,
 * power-of-two rounding. Each operation is computed two ways (the
 * compiler's builtin or idiom, and a naive loop) over a pseudo-random
 * sweep, the two must agree, and fixed cases are checked against values
 * worked by hand.
 * guest-variants: glibc picolibc clang
 */
#include <stdint.h>
#include <stdio.h>
#include "check.h"

static int naive_popcount(uint64_t x)
{
	int n = 0;
	for (int i = 0; i < 64; i++)
		n += (int)((x >> i) & 1);
	return n;
}

static int naive_clz(uint64_t x)
{
	int n = 0;
	for (int i = 63; i >= 0 && !((x >> i) & 1); i--)
		n++;
	return n;
}

static int naive_ctz(uint64_t x)
{
	int n = 0;
	for (int i = 0; i < 64 && !((x >> i) & 1); i++)
		n++;
	return n;
}

static uint64_t naive_bswap(uint64_t x)
{
	uint64_t r = 0;
	for (int i = 0; i < 8; i++)
		r |= ((x >> (8 * i)) & 0xff) << (8 * (7 - i));
	return r;
}

static uint64_t reverse(uint64_t x)
{
	/* swap halves, then quarters, ... down to single bits */
	x = (x >> 32) | (x << 32);
	x = ((x >> 16) & 0x0000ffff0000ffffull) | ((x & 0x0000ffff0000ffffull) << 16);
	x = ((x >> 8) & 0x00ff00ff00ff00ffull) | ((x & 0x00ff00ff00ff00ffull) << 8);
	x = ((x >> 4) & 0x0f0f0f0f0f0f0f0full) | ((x & 0x0f0f0f0f0f0f0f0full) << 4);
	x = ((x >> 2) & 0x3333333333333333ull) | ((x & 0x3333333333333333ull) << 2);
	x = ((x >> 1) & 0x5555555555555555ull) | ((x & 0x5555555555555555ull) << 1);
	return x;
}

static uint64_t naive_reverse(uint64_t x)
{
	uint64_t r = 0;
	for (int i = 0; i < 64; i++)
		r |= ((x >> i) & 1) << (63 - i);
	return r;
}

static uint64_t rotl(uint64_t x, unsigned n)
{
	return (x << (n & 63)) | (x >> ((64 - n) & 63));
}

static uint64_t next_pow2(uint64_t x)
{
	x--;
	x |= x >> 1; x |= x >> 2; x |= x >> 4;
	x |= x >> 8; x |= x >> 16; x |= x >> 32;
	return x + 1;
}

static int64_t sign_extend(uint64_t x, int bits)
{
	uint64_t m = 1ull << (bits - 1);
	x &= (1ull << bits) - 1;
	return (int64_t)((x ^ m) - m);
}

int main(void)
{
	check_u64("popcount(0xf0f0)", (uint64_t)__builtin_popcountll(0xf0f0), 8);
	check_u64("popcount(~0)", (uint64_t)__builtin_popcountll(~0ull), 64);
	check_u64("clz(1)", (uint64_t)__builtin_clzll(1), 63);
	check_u64("clz(2^63)", (uint64_t)__builtin_clzll(1ull << 63), 0);
	check_u64("ctz(0x80)", (uint64_t)__builtin_ctzll(0x80), 7);
	check_u64("clz32(0x00ff0000)", (uint64_t)__builtin_clz(0x00ff0000u), 8);
	check_u64("bswap64", __builtin_bswap64(0x0102030405060708ull), 0x0807060504030201ull);
	check_u64("bswap32", __builtin_bswap32(0xa1b2c3d4u), 0xd4c3b2a1u);
	check_u64("bswap16", __builtin_bswap16(0xbeef), 0xefbe);
	check_u64("rotl(0x8000000000000001, 1)", rotl(0x8000000000000001ull, 1), 3);
	check_u64("rotl by 0", rotl(0x1234, 0), 0x1234);
	check_u64("reverse(1)", reverse(1), 0x8000000000000000ull);
	check_u64("reverse(0xf0)", reverse(0xf0), 0x0f00000000000000ull);
	check_u64("gray(5)", 5 ^ (5 >> 1), 7);
	check_u64("parity(7)", (uint64_t)__builtin_parityll(7), 1);
	check_u64("next_pow2(1000)", next_pow2(1000), 1024);
	check_u64("next_pow2(1024)", next_pow2(1024), 1024);
	check_u64("sign_extend(0xfff, 12)", (uint64_t)sign_extend(0xfff, 12), (uint64_t)-1);
	check_u64("sign_extend(0x7ff, 12)", (uint64_t)sign_extend(0x7ff, 12), 0x7ff);
	check_u64("x & -x isolates the lowest bit", 0xb0 & -0xb0ull, 0x10);
	check_u64("x & (x-1) clears it", 0xb0 & (0xb0 - 1), 0xa0);

	uint64_t x = 0x243f6a8885a308d3ull, h = 0;
	unsigned mismatches = 0;
	for (int i = 0; i < 20000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		uint64_t v = x >> (i % 61); /* vary the number of leading zeros */
		if (!v)
			continue;
		int pc = __builtin_popcountll(v), lz = __builtin_clzll(v), tz = __builtin_ctzll(v);
		mismatches += pc != naive_popcount(v);
		mismatches += lz != naive_clz(v);
		mismatches += tz != naive_ctz(v);
		mismatches += __builtin_bswap64(v) != naive_bswap(v);
		mismatches += reverse(v) != naive_reverse(v);
		mismatches += rotl(rotl(v, (unsigned)i), 64 - (unsigned)i % 64) != v;
		h = h * 0x100000001b3ull ^ (uint64_t)(pc + 64 * lz + 4096 * tz) ^ reverse(v);
	}
	printf("sweep hash %016llx\n", (unsigned long long)h);
	check("builtins agree with naive loops", mismatches == 0);
	return check_failures ? 1 : 0;
}
